import { describe, expect, it } from 'vitest';
import { pythonCases } from './cases.ts';

describe('playground_wrapper.tiles (cases run by Python)', () => {
  const { ok, error } = pythonCases('tiles');

  it('reads sizes from PNG and JPEG headers without Pillow', () => {
    expect(ok('PNG header')).toEqual(['png', 300, 200]);
    expect(ok('JPEG baseline header')).toEqual(['jpeg', 123, 45]);
    expect(ok('JPEG progressive with EXIF')).toEqual(['jpeg', 64, 80]);
    expect(error('GIF header')).toMatch(/^ValueError: not a PNG or JPEG image/);
    expect(error('zero-size PNG header')).toBe('ValueError: the PNG header says 0 x 0 px');
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
