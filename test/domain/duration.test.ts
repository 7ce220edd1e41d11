import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/domain/duration.ts';

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [999, '0s'],
    [8_000, '8s'],
    [59_999, '59s'],
    [60_000, '1m'],
    [72_000, '1m 12s'],
    [605_000, '10m 5s'],
    [3_600_000, '1h'],
    [3_725_000, '1h 2m'],
    [-5_000, '0s'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    [' 1h 30m ', 5_400_000],
    ['250ms', 250],
    ['2H', 7_200_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '10', 'm', '1.5h', '-5m', '10 minutes', '5d', '1h-30m'])(
    '%j is not a duration',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );
});
