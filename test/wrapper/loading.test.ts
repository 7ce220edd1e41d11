import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALL_CHECKS,
  checkLines,
  pngTile,
  processRequest,
  request,
  resolutionAt,
  runCheckScript,
  type Service,
  type ServiceOptions,
  startService,
  waitHealthy,
} from './helpers.ts';

describe('pkg_slow: the predictor takes ~3 s to load', () => {
  let service: Service;
  beforeAll(async () => {
    service = await startService({ predictorPackage: 'pkg_slow', predictorClass: 'SlowPredictor' });
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('health answers 503 while loading, then 200; process answers 503 meanwhile; the check waits', async () => {
    const health = await request(`${service.url}/api/v1/health`);
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({
      message: 'the predictor is still loading',
      state: 'loading',
    });
    // Started while the model loads: the check polls health until 200, then passes.
    const check = runCheckScript([service.url, '--timeout', '30']);
    const tile = pngTile(256);
    const early = await processRequest(service, { resolution: resolutionAt(16), tiles: [tile] });
    expect(early.status).toBe(503);
    expect(early.body.message).toBe('the predictor is still loading');
    // describe and openapi do not need the model.
    expect((await request(`${service.url}/api/v1/describe`)).status).toBe(200);
    expect((await request(`${service.url}/api/v1/openapi`)).status).toBe(200);

    const waited = await waitHealthy(service.url, 20_000);
    expect(waited).toBeGreaterThan(1_000);
    const later = await processRequest(service, { resolution: resolutionAt(16), tiles: [tile] });
    expect(later.status).toBe(200);

    const run = await check;
    expect(run.code, run.stdout).toBe(0);
    expect(run.ms).toBeGreaterThan(1_000);
    expect(checkLines(run)).toEqual(ALL_CHECKS.map((name) => `PASS ${name}`));
  });
});

describe('a predictor or configuration that cannot load', () => {
  const failures: [string, ServiceOptions, RegExp][] = [
    [
      '__init__ raises',
      { predictorPackage: 'pkg_raises', predictorClass: 'BrokenOnLoad' },
      /^loading predictor pkg_raises\.BrokenOnLoad failed: RuntimeError: weights file \/models\/missing\.pt not found$/,
    ],
    [
      'class not in the package',
      { predictorPackage: 'pkg_format', predictorClass: 'FormatPredictor' },
      /AttributeError: module pkg_format has no attribute FormatPredictor \(set PREDICTOR_PACKAGE to package\.module/,
    ],
    [
      'package not installed',
      { predictorPackage: 'pkg_absent.model', predictorClass: 'Model' },
      /ModuleNotFoundError: No module named 'pkg_absent'/,
    ],
    [
      'PADDING missing from app.yaml',
      { predictorPackage: 'pkg_none', predictorClass: 'NonePredictor', omit: ['PADDING'] },
      /^configuration error: .*app\.yaml env_variables: missing PADDING$/,
    ],
    [
      'PADDING out of range',
      { predictorPackage: 'pkg_none', predictorClass: 'NonePredictor', env: { PADDING: '300' } },
      /^configuration error: PADDING must be between 0 and 256, got 300$/,
    ],
    [
      'PREDICTOR_PACKAGE not a module name',
      { predictorPackage: 'pkg none; rm', predictorClass: 'NonePredictor' },
      /^configuration error: PREDICTOR_PACKAGE 'pkg none; rm' is not a dotted Python module name$/,
    ],
  ];

  it.each(failures)(
    '%s: health answers 500 with the reason, process 500, the check stops early',
    async (_name, options, message) => {
      const service = await startService(options);
      try {
        // The failure is reported by health (state "failed"), not by a crashed worker.
        let health = await request(`${service.url}/api/v1/health`);
        for (let i = 0; i < 50 && health.status === 503; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          health = await request(`${service.url}/api/v1/health`);
        }
        expect(health.status).toBe(500);
        expect(health.body.state).toBe('failed');
        expect(health.body.message).toMatch(message);
        const process = await processRequest(service, { resolution: 1, tiles: [pngTile(256)] });
        expect(process.status).toBe(500);
        expect(process.body.message).toMatch(message);

        const run = await runCheckScript([service.url, '--timeout', '60']);
        expect(run.code).toBe(1);
        expect(run.ms).toBeLessThan(15_000);
        const lines = checkLines(run);
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(/^FAIL health: HTTP 500: /);
        expect(lines[0]?.slice('FAIL health: HTTP 500: '.length)).toMatch(message);
      } finally {
        await service.stop();
      }
    },
  );
});
