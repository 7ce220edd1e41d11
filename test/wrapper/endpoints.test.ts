import { get } from 'node:http';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALL_CHECKS,
  checkLines,
  ISO_TIME,
  jpegTile,
  makePng,
  pngTile,
  processRequest,
  request,
  resolutionAt,
  runCheckScript,
  type Service,
  startService,
  TRANSIENT,
  UUID,
  waitHealthy,
} from './helpers.ts';

const PADDING = 20;
const SIZE = 256 + 2 * PADDING;
const ZOOM = 16;
const RESOLUTION = resolutionAt(ZOOM);
// Submission text that would break a templated .py file: it only ever reaches app.yaml.
const TITLE = 'Roof "detector" \'v2\' """ \\n {x} é';

describe('wrapper endpoints (pkg_format.model, a result with format())', () => {
  let service: Service;

  beforeAll(async () => {
    service = await startService({
      predictorPackage: 'pkg_format.model',
      predictorClass: 'FormatPredictor',
      padding: PADDING,
      zoom: ZOOM,
      env: {
        DESCRIBE_TITLE: TITLE,
        DESCRIBE_DESCRIPTION: 'Finds roofs.\nSecond line.',
        DESCRIBE_ORGANIZATION: 'Partner & Co',
        DESCRIBE_EMAIL: 'ml@partner.example',
      },
    });
    await waitHealthy(service.url);
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('health answers 200 OK in text/plain', async () => {
    const answer = await request(`${service.url}/api/v1/health`);
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('OK');
    expect(answer.contentType).toMatch(/^text\/plain/);
  });

  it('describe answers the description with tile settings and absolute _links', async () => {
    const answer = await request(`${service.url}/api/v1/describe`);
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^application\/json/);
    const doc = answer.body;
    expect(doc).toMatchObject({
      name: 'test-service',
      title: TITLE,
      family: 'object-detection',
      version: '1.4.2',
      description: 'Finds roofs.\nSecond line.',
      organization: 'Partner & Co',
      email: 'ml@partner.example',
      image: 'eu.gcr.io/partner/model:1.4.2',
      tile: { zoom: ZOOM, padding: PADDING, size: SIZE },
      batched: false,
    });
    expect(doc.requirements.tile_size).toEqual({ optimal: SIZE, min: SIZE, max: SIZE });
    expect(doc.requirements.resolution.optimal).toBeCloseTo(RESOLUTION, 9);
    expect(doc.capabilities).toEqual({ tags: [] });
    expect(doc.resources).toMatchObject({ cpu_enabled: true, gpu_enabled: false, cpu: 4 });
    expect(doc.resources.ram).toBe(Math.trunc(3.2 * 1024 ** 3));
    expect(doc.input.required).toEqual(['resolution', 'tiles']);
    expect(doc.input.properties.tiles.items.description).toContain(`${SIZE} x ${SIZE}`);
    expect(doc.output.content.properties.type.enum).toEqual(['FeatureCollection']);
    for (const key of ['name', 'title', 'family', 'version', 'description', 'organization']) {
      expect(typeof doc[key]).toBe('string');
    }
    expect(doc._links.self.href).toBe(`${service.url}/api/v1/describe`);
    expect(doc._links.health.href).toBe(`${service.url}/api/v1/health`);
    expect(doc._links.openapi.href).toBe(`${service.url}/api/v1/openapi`);
    expect(doc._links.process).toMatchObject({
      href: `${service.url}/api/v1/process`,
      method: 'POST',
      type: 'application/json',
    });
  });

  it('describe links follow X-Forwarded-Proto and the Host the client used', async () => {
    // fetch() does not let a caller set Host; node:http does.
    const text = await new Promise<string>((resolve, reject) => {
      const req = get(
        `${service.url}/api/v1/describe`,
        { headers: { 'X-Forwarded-Proto': 'https', Host: 'svc.example.appspot.com' } },
        (res) => {
          let data = '';
          res.on('data', (chunk: Buffer) => {
            data += chunk.toString();
          });
          res.on('end', () => resolve(data));
        },
      );
      req.on('error', reject);
    });
    expect(JSON.parse(text)._links.process.href).toBe(
      'https://svc.example.appspot.com/api/v1/process',
    );
  });

  it('openapi answers an OpenAPI 3.0 YAML document of the four endpoints', async () => {
    const answer = await request(`${service.url}/api/v1/openapi`);
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^text\/yaml/);
    // biome-ignore lint/suspicious/noExplicitAny: parsed YAML
    const doc = load(answer.text) as any;
    expect(doc.openapi).toMatch(/^3\.0\./);
    expect(doc.info.title).toBe(TITLE);
    expect(doc.info.version).toBe('1.4.2');
    expect(doc.info.description).toContain(`${SIZE} x ${SIZE} px`);
    expect(doc.servers).toEqual([{ url: service.url }]);
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/v1/describe',
      '/api/v1/health',
      '/api/v1/openapi',
      '/api/v1/process',
    ]);
    expect(doc.paths['/api/v1/process'].post.responses['422']).toBeDefined();
    expect(doc.components.schemas.ProcessInput.required).toEqual(['resolution', 'tiles']);
  });

  it('process hands predict() one Tile and answers the FeatureCollection, also under prediction', async () => {
    const tile = makePng(SIZE);
    const answer = await processRequest(service, {
      resolution: RESOLUTION,
      tiles: [tile.toString('base64')],
    });
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^application\/json/);
    const body = answer.body;
    expect(body.type).toBe('FeatureCollection');
    expect(body.features).toHaveLength(2);
    expect(body.prediction).toEqual({ type: 'FeatureCollection', features: body.features });
    const [first, second] = body.features;
    expect(first.geometry).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [10, 10],
          [40, 10],
          [40, 30],
          [10, 30],
          [10, 10],
        ],
      ],
    });
    expect(first.properties).toMatchObject({
      category: ['building'],
      confidence: 0.9,
      count: 1,
      is_list: false,
      indexes: [0],
    });
    expect(first.properties.tile).toEqual({
      width: SIZE,
      height: SIZE,
      zoom: ZOOM,
      padding: PADDING,
      resolution: RESOLUTION,
      format: 'png',
      bytes: tile.length,
      index: 0,
      metadata: {},
    });
    expect(second.properties).toEqual({ category: ['vehicle'], confidence: 0.55 });
  });

  it('calls predict() exactly once per request', async () => {
    const payload = { resolution: RESOLUTION, tiles: [pngTile(SIZE)] };
    const one = await processRequest(service, payload);
    const two = await processRequest(service, payload);
    expect(two.body.features[0].properties.calls - one.body.features[0].properties.calls).toBe(1);
  });

  it('accepts data: URLs, line-wrapped base64 and JPEG tiles (baseline and progressive)', async () => {
    const png = pngTile(SIZE);
    const variants: [string, string][] = [
      [`data:image/png;base64,${png}`, 'png'],
      [png.replace(/(.{76})/g, '$1\n'), 'png'],
      [jpegTile(SIZE), 'jpeg'],
      [`data:image/jpeg;base64,${jpegTile(SIZE, true)}`, 'jpeg'],
    ];
    for (const [tile, format] of variants) {
      const answer = await processRequest(service, { resolution: RESOLUTION, tiles: [tile] });
      expect(answer.status, answer.text).toBe(200);
      expect(answer.body.features[0].properties.tile).toMatchObject({
        format,
        width: SIZE,
        height: SIZE,
      });
    }
  });

  it('two tiles (change detection): predict() gets a list, metadata is split per tile', async () => {
    const answer = await processRequest(service, {
      resolution: RESOLUTION,
      tiles: [pngTile(SIZE), jpegTile(SIZE)],
      metadata: {
        incidenceAngle: [12.5, 20.25],
        acquisitionDate: ['2020-01-01T10:00:00Z', '2021-01-01T10:00:00Z'],
      },
    });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.features[0].properties).toMatchObject({
      count: 2,
      is_list: true,
      indexes: [0, 1],
    });
    expect(answer.body.features[0].properties.tile.metadata).toEqual({
      incidenceAngle: 12.5,
      acquisitionDate: '2020-01-01T10:00:00Z',
    });
  });

  const good = () => pngTile(SIZE);
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const badRequests: [string, () => unknown, RegExp][] = [
    ['a body that is not JSON', () => '{"tiles": [', /^the request body is not valid JSON/],
    ['an empty body', () => '', /^the request body is empty$/],
    ['a JSON array (batching)', () => '[]', /batched requests .* are not supported/],
    ['a JSON string', () => '"tiles"', /is a string, expected a JSON object/],
    ['tiles missing', () => ({ resolution: 1 }), /^'tiles' is missing$/],
    [
      'tiles not a list',
      () => ({ resolution: 1, tiles: 'abc' }),
      /'tiles' is a string, expected an array/,
    ],
    ['tiles empty', () => ({ resolution: 1, tiles: [] }), /^'tiles' is empty$/],
    ['tiles: []  without resolution', () => ({ tiles: [] }), /^'tiles' is empty$/],
    [
      'a tile that is a number',
      () => ({ resolution: 1, tiles: [42] }),
      /^tiles\[0\] is a number, expected a base64 string$/,
    ],
    ['a tile that is null', () => ({ resolution: 1, tiles: [null] }), /^tiles\[0\] is null/],
    [
      'an empty tile string',
      () => ({ resolution: 1, tiles: [''] }),
      /^tiles\[0\] is an empty string$/,
    ],
    [
      'a tile that is not base64',
      () => ({ resolution: 1, tiles: ['%%% not base64 %%%'] }),
      /^tiles\[0\] is not valid base64/,
    ],
    [
      'a tile that is not an image',
      () => ({ resolution: 1, tiles: [b64('GIF89a not a png')] }),
      /^tiles\[0\] is not a PNG or JPEG image: not a PNG or JPEG image/,
    ],
    [
      'a PNG signature without header',
      () => ({ resolution: 1, tiles: [makePng(SIZE).subarray(0, 10).toString('base64')] }),
      /PNG data without an IHDR header/,
    ],
    [
      'a JPEG without frame header',
      () => ({ resolution: 1, tiles: [Buffer.from([0xff, 0xd8, 0xff, 0xd9]).toString('base64')] }),
      /JPEG data without a frame header/,
    ],
    [
      'a 256 px tile',
      () => ({ resolution: 1, tiles: [pngTile(256)] }),
      new RegExp(
        `^tiles\\[0\\] is 256 x 256 px; this service expects ${SIZE} x ${SIZE} px \\(256 px plus ${PADDING} px of padding on each side\\)$`,
      ),
    ],
    [
      'a non-square tile',
      () => ({ resolution: 1, tiles: [makePng(SIZE, SIZE + 4).toString('base64')] }),
      new RegExp(`is ${SIZE} x ${SIZE + 4} px`),
    ],
    [
      'a wrong second tile',
      () => ({ resolution: 1, tiles: [good(), pngTile(100)] }),
      /^tiles\[1\] is 100 x 100 px/,
    ],
    ['resolution missing', () => ({ tiles: [good()] }), /^'resolution' is missing$/],
    [
      'resolution zero',
      () => ({ resolution: 0, tiles: [good()] }),
      /^'resolution' must be a positive number, got 0$/,
    ],
    [
      'resolution negative',
      () => ({ resolution: -2.5, tiles: [good()] }),
      /must be a positive number, got -2.5/,
    ],
    [
      'resolution a string',
      () => ({ resolution: '2.4', tiles: [good()] }),
      /must be a positive number, got "2.4"/,
    ],
    [
      'resolution a boolean',
      () => ({ resolution: true, tiles: [good()] }),
      /must be a positive number, got true/,
    ],
    [
      'metadata not an object',
      () => ({ resolution: 1, tiles: [good()], metadata: [1] }),
      /^'metadata' is an array, expected an object$/,
    ],
  ];

  it.each(badRequests)('400 with a JSON message for %s', async (_name, payload, message) => {
    const answer = await processRequest(service, payload());
    expect(answer.status, answer.text).toBe(400);
    expect(TRANSIENT).not.toContain(answer.status);
    expect(answer.contentType).toMatch(/^application\/json/);
    expect(answer.body.message).toMatch(message);
    expect(typeof answer.body.hint).toBe('string');
    expect(answer.body.timestamp).toMatch(ISO_TIME);
    expect(answer.body.correlationId).toMatch(UUID);
  });

  it('echoes the caller X-Correlation-Id in error bodies', async () => {
    const answer = await processRequest(service, { tiles: [] }, { 'X-Correlation-Id': 'req-42.a' });
    expect(answer.body.correlationId).toBe('req-42.a');
  });

  it('unknown routes answer 404 JSON, wrong methods 405 JSON', async () => {
    const missing = await request(`${service.url}/api/v1/nothing`);
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('404 Not Found: /api/v1/nothing');
    expect(missing.body.correlationId).toMatch(UUID);
    const wrongMethod = await request(`${service.url}/api/v1/process`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.body.message).toMatch(/Method Not Allowed/);
  });

  it('a body over 32 MiB answers 413 JSON', async () => {
    const huge = `{"resolution": 1, "tiles": ["${'A'.repeat(33 * 1024 * 1024)}"]}`;
    const answer = await processRequest(service, huge);
    expect(answer.status).toBe(413);
    expect(answer.body.message).toMatch(/^413 /);
    expect(answer.body.hint).toMatch(/32 MiB/);
  });

  it('a chunked body (no Content-Length) over 32 MiB answers 413 JSON too', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x41);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(Buffer.from('{"resolution": 1, "tiles": ["'));
        if (sent++ < 33) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const response = await fetch(`${service.url}/api/v1/process`, {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/json' },
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(((await response.json()) as { message: string }).message).toMatch(/^413 /);
  });

  it('the service still serves after all those errors', async () => {
    const answer = await processRequest(service, { resolution: RESOLUTION, tiles: [good()] });
    expect(answer.status).toBe(200);
  });

  it('check_service.py passes every check', async () => {
    const run = await runCheckScript([service.url, '--padding', String(PADDING), '--zoom', '16']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(checkLines(run)).toEqual(ALL_CHECKS.map((name) => `PASS ${name}`));
  });

  it('check_service.py --details says what each passed check saw, as the test step reports it', async () => {
    const run = await runCheckScript([service.url, '--details']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const lines = checkLines(run);
    expect(lines.map((line) => /^PASS ([\w-]+)/.exec(line)?.[1])).toEqual(ALL_CHECKS);
    expect(lines).toContain(`PASS process: 2 feature(s) on a ${SIZE} px tile at zoom ${ZOOM}`);
    expect(lines.find((l) => l.startsWith('PASS openapi'))).toMatch(/^PASS openapi: \d+ bytes$/);
  });

  it('check_service.py reads padding and zoom from describe when not given, and --json reports', async () => {
    const run = await runCheckScript([`${service.url}/`, '--json']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c: { name: string }) => c.name)).toEqual(ALL_CHECKS);
    const process = report.checks.find((c: { name: string }) => c.name === 'process');
    expect(process.detail).toBe(`2 feature(s) on a ${SIZE} px tile at zoom ${ZOOM}`);
  });

  it('check_service.py fails process with a wrong --padding, showing the message', async () => {
    const run = await runCheckScript([service.url, '--padding', '0']);
    expect(run.code).toBe(1);
    expect(checkLines(run)).toContain(
      `FAIL process: HTTP 400: tiles[0] is 256 x 256 px; this service expects ${SIZE} x ${SIZE} px (256 px plus ${PADDING} px of padding on each side)`,
    );
  });
});
