import { describe, expect, it } from 'vitest';
import { refusedPort } from '../helpers/refused-port.ts';
import { checkLines, runCheckScript, runPython } from './helpers.ts';

describe('check_service.py on its own', () => {
  it('fails cleanly with a timeout against a closed port', async () => {
    const port = await refusedPort();
    const run = await runCheckScript([`http://127.0.0.1:${port}`, '--timeout', '2']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    expect(checkLines(run)).toEqual(['FAIL health: no 200 within 2 s (last: connection refused)']);
    expect(run.ms).toBeGreaterThanOrEqual(1_900);
    expect(run.ms).toBeLessThan(10_000);
  });

  it('--json prints one JSON object', async () => {
    const port = await refusedPort();
    const run = await runCheckScript([`http://127.0.0.1:${port}`, '--timeout', '1', '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({
      ok: false,
      checks: [
        { name: 'health', ok: false, detail: 'no 200 within 1 s (last: connection refused)' },
      ],
    });
  });

  it.each([
    [[]],
    [['ftp://example.com']],
    [['http://']],
    [['http://127.0.0.1:1', '--padding', '300']],
    [['http://127.0.0.1:1', '--padding', 'x']],
    [['http://127.0.0.1:1', '--zoom', '31']],
    [['http://127.0.0.1:1', '--timeout', '0']],
    [['http://127.0.0.1:1', '--bogus']],
  ])('exits 2 on a usage error: %j', async (args) => {
    const run = await runCheckScript(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/usage: check_service\.py/);
  });

  it('builds a valid PNG of the requested size (standard library only)', () => {
    const result = runPython(
      [
        'import json, sys, io',
        'import check_service',
        'from playground_wrapper.tiles import image_header',
        'from PIL import Image',
        'data = check_service.make_png(296)',
        'img = Image.open(io.BytesIO(data)); img.load()',
        'colours = len(set(img.getdata()))',
        'print(json.dumps([image_header(data), img.mode, colours]))',
      ].join('\n'),
    );
    expect(result).toEqual([['png', 296, 296], 'RGB', expect.any(Number)]);
    expect((result as [unknown, unknown, number])[2]).toBeGreaterThan(100);
  });

  it('applies the Playground checker rules to process answers', () => {
    const square = [
      [
        [0, 0],
        [4, 0],
        [4, 4],
        [0, 0],
      ],
    ];
    const feature = (geometry: unknown, properties: unknown = {}) => ({
      type: 'Feature',
      geometry,
      properties,
    });
    const fc = (...features: unknown[]) => ({ type: 'FeatureCollection', features });
    const cases: [unknown, string | null][] = [
      [fc(), null],
      [
        fc(feature({ type: 'Polygon', coordinates: square }, { confidence: 0, category: [] })),
        null,
      ],
      [fc(feature({ type: 'Point', coordinates: [1, 2] })), null],
      [fc(feature({ type: 'MultiPolygon', coordinates: [square] })), null],
      [{ type: 'Feature' }, 'root type is "Feature", expected FeatureCollection'],
      [{ type: 'FeatureCollection' }, 'features is not a list'],
      [fc({ type: 'Foo' }), 'features[0]: type is not Feature'],
      [
        fc({ type: 'Feature', geometry: { type: 'Point', coordinates: [1, 1] } }),
        'features[0]: properties is missing or not an object',
      ],
      [
        fc(feature({ type: 'Polygon', coordinates: [square[0]?.slice(1)] })),
        'features[0].geometry.coordinates[0]: a ring needs at least 4 points',
      ],
      [
        fc(
          feature({
            type: 'Polygon',
            coordinates: [
              [
                [0, 0],
                [4, 0],
                [4, -4],
                [0, 0],
              ],
            ],
          }),
        ),
        'features[0].geometry.coordinates[0][2]: -4 is not a non-negative number',
      ],
      [
        fc(
          feature({
            type: 'Polygon',
            coordinates: [
              [
                [0, 0],
                [4, 0],
                [4, 4],
                [0, 1],
              ],
            ],
          }),
        ),
        'features[0].geometry.coordinates[0]: the ring is not closed',
      ],
      [
        fc(
          feature({
            type: 'LineString',
            coordinates: [
              [0, 0],
              [1, 1],
            ],
          }),
        ),
        'features[0].geometry: type "LineString" is not Polygon, MultiPolygon or Point',
      ],
      [
        fc(feature({ type: 'Point', coordinates: [1, 2] }, { confidence: 1.5 })),
        'features[0].properties.confidence: 1.5 is not a number in [0, 1]',
      ],
      [
        fc(feature({ type: 'Point', coordinates: [1, 2] }, { category: 'car' })),
        'features[0].properties.category is not a list',
      ],
    ];
    const results = runPython(
      [
        'import json, sys',
        'import check_service',
        'cases = json.load(sys.stdin)',
        'print(json.dumps([check_service.output_problem(body) for body in cases]))',
      ].join('\n'),
      cases.map(([body]) => body),
    );
    expect(results).toEqual(cases.map(([, problem]) => problem));
  });
});
