import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runPython, TEMPLATES } from './helpers.ts';

type Outcome = { ok: unknown } | { error: string };

const CASES = fileURLToPath(new URL('./app_utils_cases.py', import.meta.url));
const SQUARE = [
  [0, 0],
  [10, 0],
  [10, 10],
  [0, 10],
  [0, 0],
];
const ring = (where = 'features[0].geometry.coordinates[0]') => where;

describe('app_utils.py (unit cases run by Python)', () => {
  let out: Record<string, Outcome>;
  beforeAll(() => {
    out = runPython(readFileSync(CASES, 'utf8')) as Record<string, Outcome>;
  });
  const ok = (name: string) => {
    const outcome = out[name];
    if (!outcome || !('ok' in outcome)) throw new Error(`${name}: ${JSON.stringify(outcome)}`);
    return outcome.ok;
  };
  const error = (name: string) => {
    const outcome = out[name];
    if (!outcome || !('error' in outcome)) throw new Error(`${name}: ${JSON.stringify(outcome)}`);
    return outcome.error;
  };

  it('accepts valid collections and normalises them (properties {}, numpy values, ids)', () => {
    expect(ok('valid square, properties missing')).toEqual({
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', geometry: { type: 'Polygon', coordinates: [SQUARE] }, properties: {} },
      ],
    });
    expect(ok('tuples, numpy arrays and numpy scalars')).toEqual({
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          geometry: { type: 'Polygon', coordinates: [SQUARE] },
          properties: { confidence: 0.5, category: ['car'], n: 3, flag: true, box: [1.5, 2.5] },
          id: 7,
        },
      ],
    });
    expect(ok('repeated consecutive positions')).toBeTruthy();
    expect(ok('polygon with a hole')).toBeTruthy();
    expect(ok('empty collection')).toEqual({ type: 'FeatureCollection', features: [] });
  });

  it.each([
    ['confidence 1.7', 'features[1].properties.confidence: 1.7 is outside 0..1'],
    ['confidence true', 'features[0].properties.confidence: true is not a number'],
    ['confidence NaN', 'features[0].properties.confidence: nan is not a finite number'],
    ['category of numbers', 'features[0].properties.category: [1] is not a list of strings'],
    ['three coordinates', `${ring()}[0]: a position must be a pair [x, y], got [0, 0, 1]`],
    ['infinite coordinate', `${ring()}[1]: x is inf, expected a finite number`],
    ['boolean coordinate', `${ring()}[1]: x is True, expected a number`],
    ['spike', `${ring()}: the ring crosses itself`],
    ['collinear ring', `${ring()}: the ring folds back on itself at [0, 0]`],
    ['figure eight touching at a vertex', `${ring()}: the ring crosses itself`],
    ['bowtie', `${ring()}: the ring crosses itself (edges 0 and 2)`],
    ['ring too short', `${ring()}: a ring needs at least 4 positions, got 3`],
    [
      'geometry missing',
      'features[0].geometry is missing, expected a Polygon, MultiPolygon or Point',
    ],
    ['coordinates missing', 'features[0].geometry.coordinates is missing'],
    ['feature type wrong', "features[0].type is 'feature', expected Feature"],
    ['features not a list', 'features is a str, expected a list'],
    [
      'unserialisable property',
      'features[0].properties.model: a value of type object cannot be written as JSON',
    ],
    [
      'empty multipolygon',
      'features[0].geometry.coordinates: a MultiPolygon needs at least one polygon',
    ],
  ])('rejects %s', (name, message) => {
    expect(error(name)).toMatch(/^ResultError: /);
    expect(error(name).slice('ResultError: '.length).startsWith(message)).toBe(true);
  });

  it('checks self-intersection with a sweep that stays fast on large rings', () => {
    const [problem, seconds] = ok('5000-vertex valid ring') as [string | null, number];
    expect(problem).toBeNull();
    expect(seconds).toBeLessThan(2);
    expect(ok('segments touching at an end')).toBe(true);
    expect(ok('parallel segments')).toBe(false);
    expect(ok('collinear disjoint segments')).toBe(false);
  });

  it('formats results by duck typing, never by isinstance of an SDK class', () => {
    const empty = { type: 'FeatureCollection', features: [] };
    expect(ok('None')).toEqual(empty);
    expect(ok('format() returning a dict')).toEqual(empty);
    expect(ok('format() returning a JSON string')).toMatchObject({ type: 'FeatureCollection' });
    expect(ok('__geo_interface__')).toMatchObject({ type: 'FeatureCollection' });
    expect(error('format() returning a list')).toBe(
      'ResultError: WithFormat.format() returned a value of type list, expected a FeatureCollection mapping',
    );
    expect(error('format() raising')).toBe(
      "ResultError: WithFormat.format() raised KeyError: 'boxes'",
    );
    expect(error('a Feature mapping')).toBe(
      "ResultError: predict() returned a mapping whose type is 'Feature', expected FeatureCollection",
    );
    expect(error('a list')).toMatch(/returned a value of type list/);
    expect(error('a str')).toMatch(/returned a value of type str/);
    expect(ok('success body')).toEqual({ ...empty, prediction: empty });
  });

  it('reads sizes from PNG and JPEG headers without Pillow', () => {
    expect(ok('PNG header')).toEqual(['png', 300, 200]);
    expect(ok('JPEG baseline header')).toEqual(['jpeg', 123, 45]);
    expect(ok('JPEG progressive with EXIF')).toEqual(['jpeg', 64, 80]);
    expect(error('GIF header')).toMatch(/^ValueError: not a PNG or JPEG image/);
    expect(error('zero-size PNG header')).toBe('ValueError: the PNG header says 0 x 0 px');
  });

  it('decodes base64 leniently (data URL, line breaks, URL-safe, no padding) but not garbage', () => {
    expect(ok('base64 standard')).toBe(true);
    expect(ok('base64 url-safe without padding')).toBe(true);
    expect(ok('base64 data URL with line breaks')).toBe(true);
    expect(error('base64 garbage')).toMatch(/^ServiceError: tiles\[3\] is not valid base64/);
  });

  it('loads settings from app.yaml env_variables', () => {
    expect(ok('config with YAML integers')).toEqual({
      zoom: 18,
      padding: 32,
      tile_size: 320,
      resolution: 156543.03392 / 2 ** 18,
      version: 'latest',
      title: 'svc',
      package: 'pkg.mod',
    });
    expect(ok('config with a digest')).toMatchObject({ version: 'sha256:abc', tile_size: 256 });
    expect(error('config zoom not a number')).toBe(
      "ConfigError: ZOOM_LEVEL must be an integer, got 'high'",
    );
    expect(error('config without env_variables')).toMatch(/has no env_variables mapping$/);
    expect(error('config not YAML')).toMatch(/is not valid YAML/);
    expect(error('config file missing')).toMatch(
      /^ConfigError: cannot read \/nonexistent\/app\.yaml/,
    );
  });

  it('Tile.to_array() decodes with numpy and Pillow, and says what is missing otherwise', () => {
    expect(ok('tile repr')).toBe('Tile(png 8x8, zoom=16, padding=0, resolution=2.39, 77 bytes)');
    expect(ok('to_array shape')).toEqual([8, 8, 3]);
    expect(ok('to_array grey')).toEqual([8, 8]);
    expect(error('to_array without numpy')).toMatch(
      /^RuntimeError: Tile\.to_array\(\) needs numpy and Pillow installed in the predictor image \(pip install numpy Pillow\)/,
    );
  });
});

describe('the wrapper templates', () => {
  const files = ['app.py', 'app_utils.py', 'check_service.py'];

  it('parse as Python 3.8 (partner images can be old)', () => {
    const result = runPython(
      [
        'import ast, json, sys',
        'out = {}',
        'for path in json.load(sys.stdin):',
        '    try:',
        '        ast.parse(open(path).read(), path, feature_version=(3, 8))',
        '        out[path] = None',
        '    except SyntaxError as exc:',
        '        out[path] = str(exc)',
        'print(json.dumps(out))',
      ].join('\n'),
      files.map((file) => join(TEMPLATES, file)),
    );
    expect(Object.values(result as Record<string, string | null>)).toEqual([null, null, null]);
  });

  it('check_service.py imports only the standard library', () => {
    const result = runPython(
      [
        'import ast, json, sys',
        'tree = ast.parse(open(json.load(sys.stdin)).read())',
        'names = set()',
        'for node in ast.walk(tree):',
        '    if isinstance(node, ast.Import):',
        '        names.update(a.name.split(".")[0] for a in node.names)',
        '    elif isinstance(node, ast.ImportFrom):',
        '        names.add(node.module.split(".")[0])',
        'print(json.dumps(sorted(n for n in names if n not in sys.stdlib_module_names)))',
      ].join('\n'),
      join(TEMPLATES, 'check_service.py'),
    );
    expect(result).toEqual([]);
  });

  it('pin the wrapper requirements (Flask, gunicorn, PyYAML) and nothing of the partner', () => {
    const lines = readFileSync(join(TEMPLATES, 'requirements.txt'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() && !line.startsWith('#'));
    for (const line of lines) expect(line).toMatch(/^[A-Za-z0-9_.-]+==\d+(\.\d+)*$/);
    const names = lines.map((line) => line.split('==')[0]?.toLowerCase());
    expect(names).toEqual(expect.arrayContaining(['flask', 'gunicorn', 'pyyaml']));
    expect(names).not.toContain('pillow');
    expect(names).not.toContain('numpy');
  });
});
