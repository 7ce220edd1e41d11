import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpLiveCheck } from '../../src/gcp/live-check.ts';
import {
  startVersionService,
  type VersionServiceStandIn,
} from '../../src/local/version-service.ts';
import { refusedPort } from '../helpers/refused-port.ts';

let service: VersionServiceStandIn;
beforeAll(async () => {
  service = await startVersionService({ name: 'boat-detector' });
});
afterAll(() => service.close());
beforeEach(() => service.heal());

const target = () => ({ url: `${service.url}/`, padding: 24, zoom: 16 });

describe('HttpLiveCheck against a real HTTP server', () => {
  it('calls health, describe and process, and says what each found', async () => {
    const before = service.requests().length;
    const check = await new HttpLiveCheck().check(target());
    expect(check.ok).toBe(true);
    expect(check.url).toBe(`${service.url}/`);
    expect(
      check.probes.map(({ name, ok, status, detail }) => ({ name, ok, status, detail })),
    ).toEqual([
      { name: 'health', ok: true, status: 200, detail: 'OK' },
      { name: 'describe', ok: true, status: 200, detail: 'name boat-detector' },
      { name: 'process', ok: true, status: 200, detail: '3 features' },
    ]);
    for (const probe of check.probes) expect(probe.ms).toBeGreaterThanOrEqual(0);

    const requests = service.requests().slice(before);
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/v1/health',
      'GET /api/v1/describe',
      'POST /api/v1/process',
    ]);
    // The process request: one generated PNG tile of 256 + 2 × 24 px at zoom 16's resolution.
    const body = JSON.parse(requests[2]?.body ?? '') as { resolution: number; tiles: string[] };
    expect(body.resolution).toBeCloseTo(156_543.03392 / 2 ** 16, 6);
    expect(body.tiles).toHaveLength(1);
    const png = Buffer.from(body.tiles[0] ?? '', 'base64');
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(304); // IHDR width
    expect(png.readUInt32BE(20)).toBe(304); // IHDR height
  });

  it('a health answering 500 fails the check with the status and a body excerpt, nothing else tried', async () => {
    service.answer('health', { status: 500, body: '{"message": "model failed to load"}' });
    const before = service.requests().length;
    const check = await new HttpLiveCheck().check(target());
    expect(check.ok).toBe(false);
    expect(check.probes).toEqual([
      expect.objectContaining({
        name: 'health',
        ok: false,
        status: 500,
        detail: 'HTTP 500: {"message": "model failed to load"}',
      }),
    ]);
    expect(
      service
        .requests()
        .slice(before)
        .map((r) => r.path),
    ).toEqual(['/api/v1/health']);
  });

  it('a request past its deadline fails with the deadline', async () => {
    service.answer('process', { delayMs: 1_000 });
    const check = await new HttpLiveCheck({ timeoutMs: 2_000, processTimeoutMs: 200 }).check(
      target(),
    );
    expect(check.ok).toBe(false);
    const process = check.probes.find((probe) => probe.name === 'process');
    expect(process).toMatchObject({ ok: false, detail: 'no answer within 0.2 s' });
    expect(process?.ms).toBeGreaterThanOrEqual(150);
    expect(process?.ms).toBeLessThan(1_000);
  });

  it('a body that is not JSON fails that probe, quoting it', async () => {
    service.answer('describe', { body: '<html>Service Unavailable</html>' });
    const check = await new HttpLiveCheck().check(target());
    expect(check.ok).toBe(false);
    expect(check.probes.map((p) => [p.name, p.ok, p.detail])).toEqual([
      ['health', true, 'OK'],
      ['describe', false, 'HTTP 200, not JSON: <html>Service Unavailable</html>'],
      ['process', true, '3 features'],
    ]);
  });

  it('a process answer without a FeatureCollection fails, and no server at all is no answer', async () => {
    service.answer('process', { body: '{"result": []}' });
    const check = await new HttpLiveCheck().check(target());
    expect(check.probes.at(-1)).toMatchObject({
      ok: false,
      detail: 'no FeatureCollection: {"result": []}',
    });

    const url = `http://127.0.0.1:${await refusedPort()}/`;
    const nobody = await new HttpLiveCheck().check({ ...target(), url });
    expect(nobody.probes).toEqual([
      expect.objectContaining({ name: 'health', ok: false, detail: 'no answer: ECONNREFUSED' }),
    ]);
  });
});
