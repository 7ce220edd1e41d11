import { describe, expect, it } from 'vitest';
import { pythonCases } from './cases.ts';

const SQUARE = [
  [0, 0],
  [10, 0],
  [10, 10],
  [0, 10],
  [0, 0],
];
const ring = (where = 'features[0].geometry.coordinates[0]') => where;

describe('playground_wrapper.results (cases run by Python)', () => {
  const { ok, error } = pythonCases('results');

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
});
