import { describe, expect, it } from 'vitest';
import { pythonCases } from './cases.ts';

describe('playground_wrapper.process_request (cases run by Python)', () => {
  const { ok, error } = pythonCases('process_request');

  it('decodes base64 leniently (data URL, line breaks, URL-safe, no padding) but not garbage', () => {
    expect(ok('base64 standard')).toBe(true);
    expect(ok('base64 url-safe without padding')).toBe(true);
    expect(ok('base64 data URL with line breaks')).toBe(true);
    expect(error('base64 garbage')).toMatch(/^ServiceError: tiles\[3\] is not valid base64/);
  });
});
