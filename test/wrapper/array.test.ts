import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALL_CHECKS,
  checkLines,
  jpegTile,
  pngTile,
  processRequest,
  resolutionAt,
  runCheckScript,
  type Service,
  startService,
  waitHealthy,
} from './helpers.ts';

const PADDING = 8;
const SIZE = 256 + 2 * PADDING;
const RESOLUTION = resolutionAt(17);

describe('pkg_array: predict() decodes the tile with tile.to_array() (numpy via Pillow)', () => {
  let service: Service;
  beforeAll(async () => {
    service = await startService({
      predictorPackage: 'pkg_array',
      predictorClass: 'ArrayPredictor',
      padding: PADDING,
      zoom: 17,
    });
    await waitHealthy(service.url);
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('gets (height, width, 3) pixels of an RGB PNG and finds the bright rectangle', async () => {
    const tile = pngTile(SIZE, { bright: [50, 100, 80, 120] });
    const answer = await processRequest(service, { resolution: RESOLUTION, tiles: [tile] });
    expect(answer.status, answer.text).toBe(200);
    const [feature] = answer.body.features;
    expect(feature.geometry.coordinates).toEqual([
      [
        [50, 100],
        [80, 100],
        [80, 120],
        [50, 120],
        [50, 100],
      ],
    ]);
    expect(feature.properties).toMatchObject({
      category: ['bright'],
      confidence: 0.75, // a numpy float32, converted by the wrapper
      shape: [SIZE, SIZE, 3],
      rgb_shape: [SIZE, SIZE, 3],
      dtype: 'uint8',
    });
    expect(typeof feature.properties.mean).toBe('number');
  });

  it('gets 4 bands for an RGBA PNG and can convert to RGB', async () => {
    const tile = pngTile(SIZE, { channels: 4, bright: [0, 0, 10, 10] });
    const answer = await processRequest(service, { resolution: RESOLUTION, tiles: [tile] });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.features[0].properties).toMatchObject({
      shape: [SIZE, SIZE, 4],
      rgb_shape: [SIZE, SIZE, 3],
    });
  });

  it('decodes JPEG tiles too', async () => {
    const answer = await processRequest(service, {
      resolution: RESOLUTION,
      tiles: [jpegTile(SIZE)],
    });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.features[0].properties.shape).toEqual([SIZE, SIZE, 3]);
  });

  it('check_service.py passes', async () => {
    const run = await runCheckScript([service.url, '--padding', String(PADDING), '--zoom', '17']);
    expect(run.code, run.stdout).toBe(0);
    expect(checkLines(run)).toEqual(ALL_CHECKS.map((name) => `PASS ${name}`));
  });
});
