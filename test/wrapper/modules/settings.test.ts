import { describe, expect, it } from 'vitest';
import { pythonCases } from './cases.ts';

describe('playground_wrapper.settings (cases run by Python)', () => {
  const { ok, error } = pythonCases('settings');

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
});
