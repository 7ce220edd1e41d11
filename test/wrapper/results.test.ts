import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALL_CHECKS,
  checkLines,
  pngTile,
  processRequest,
  resolutionAt,
  runCheckScript,
  type Service,
  startService,
  TRANSIENT,
  UUID,
  waitHealthy,
} from './helpers.ts';

const SIZE = 256;
const RESOLUTION = resolutionAt(16);
const payload = (metadata?: Record<string, unknown>) => ({
  resolution: RESOLUTION,
  tiles: [pngTile(SIZE)],
  ...(metadata ? { metadata } : {}),
});

/** Starts one fixture for a describe block and stops it (and its process group) after. */
function useService(predictorPackage: string, predictorClass: string) {
  const holder: { service?: Service } = {};
  beforeAll(async () => {
    holder.service = await startService({ predictorPackage, predictorClass });
    await waitHealthy(holder.service.url);
  });
  afterAll(async () => {
    await holder.service?.stop();
  });
  return () => {
    if (!holder.service) throw new Error('service not started');
    return holder.service;
  };
}

describe('pkg_dict: class exported by the package, returns a plain FeatureCollection dict', () => {
  const service = useService('pkg_dict', 'DictPredictor');

  it('answers the collection as is; Point and MultiPolygon kept, missing properties -> {}', async () => {
    const answer = await processRequest(service(), payload());
    expect(answer.status, answer.text).toBe(200);
    const [point, multi] = answer.body.features;
    expect(point).toEqual({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [12.5, 20] },
      properties: { category: ['tree'], confidence: 1 },
    });
    expect(multi.geometry.type).toBe('MultiPolygon');
    expect(multi.geometry.coordinates).toHaveLength(2);
    expect(multi.properties).toEqual({});
    expect(answer.body.prediction.features).toEqual(answer.body.features);
  });

  it('check_service.py passes', async () => {
    const run = await runCheckScript([service().url, '--padding', '0']);
    expect(run.code, run.stdout).toBe(0);
    expect(checkLines(run)).toEqual(ALL_CHECKS.map((name) => `PASS ${name}`));
  });
});

describe('pkg_none: predict() returns None', () => {
  const service = useService('pkg_none', 'NonePredictor');

  it('answers an empty FeatureCollection, at the root and under prediction', async () => {
    const answer = await processRequest(service(), payload());
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      type: 'FeatureCollection',
      features: [],
      prediction: { type: 'FeatureCollection', features: [] },
    });
  });

  it('check_service.py passes', async () => {
    const run = await runCheckScript([service().url, '--padding', '0']);
    expect(run.code, run.stdout).toBe(0);
  });
});

describe('pkg_raises: predict() raises ValueError', () => {
  const service = useService('pkg_raises', 'RaisingPredictor');

  it('answers 422 naming the exception, logs the traceback and keeps serving', async () => {
    for (let round = 0; round < 2; round++) {
      const answer = await processRequest(service(), payload());
      expect(answer.status).toBe(422);
      expect(TRANSIENT).not.toContain(answer.status);
      expect(answer.body.message).toBe(
        'the predictor raised ValueError: model exploded on this tile',
      );
      expect(answer.body.correlationId).toMatch(UUID);
      expect(answer.body.hint).toMatch(/logs/);
    }
    const logs = service().logs();
    expect(logs).toContain('Traceback (most recent call last)');
    expect(logs).toContain('ValueError: model exploded on this tile');
    const health = await fetch(`${service().url}/api/v1/health`);
    expect(health.status).toBe(200);
  });

  it('check_service.py fails the process check with the message; error checks still pass', async () => {
    const run = await runCheckScript([service().url, '--padding', '0']);
    expect(run.code).toBe(1);
    const lines = checkLines(run);
    expect(lines).toContain(
      'FAIL process: HTTP 422: the predictor raised ValueError: model exploded on this tile',
    );
    expect(lines.filter((line) => line.startsWith('FAIL'))).toHaveLength(1);
    expect(lines).toContain('PASS error-wrong-size');
  });
});

describe('pkg_invalid: predict() returns invalid GeoJSON', () => {
  const service = useService('pkg_invalid', 'InvalidPredictor');

  const variants: [string, string][] = [
    ['confidence', 'features[2].properties.confidence: 1.7 is outside 0..1'],
    [
      'unclosed',
      'features[0].geometry.coordinates[0]: the ring is not closed (first position [1, 1], last [2, 2])',
    ],
    ['bowtie', 'features[0].geometry.coordinates[0]: the ring crosses itself (edges 0 and 2)'],
    ['negative', 'features[0].geometry.coordinates[0][1]: y is -1; pixel coordinates must be >= 0'],
    ['short', 'features[0].geometry.coordinates[0]: a ring needs at least 4 positions, got 3'],
    ['category', 'features[0].properties.category: "building" is not a list of strings'],
    ['line', "features[0].geometry.type is 'LineString'; the Playground accepts Polygon"],
    ['string', 'predict() returned a value of type str, expected a FeatureCollection'],
    ['number', 'predict() returned a value of type int, expected a FeatureCollection'],
    [
      'wrong-type',
      "predict() returned a mapping whose type is 'Feature', expected FeatureCollection",
    ],
    ['properties-list', 'features[0].properties is a list, expected a mapping'],
  ];

  it.each(variants)('%s: 422 whose message says what is wrong', async (variant, message) => {
    const answer = await processRequest(service(), payload({ variant }));
    expect(answer.status, answer.text).toBe(422);
    expect(answer.body.message.startsWith(`invalid prediction result: ${message}`)).toBe(true);
    expect(answer.body.hint).toMatch(/valid GeoJSON/);
  });

  it('check_service.py fails the process check with the wrapper message', async () => {
    const run = await runCheckScript([service().url, '--padding', '0']);
    expect(run.code).toBe(1);
    expect(checkLines(run)).toContain(
      'FAIL process: HTTP 422: invalid prediction result: features[2].properties.confidence: 1.7 is outside 0..1',
    );
  });
});
