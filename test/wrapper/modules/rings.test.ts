import { describe, expect, it } from 'vitest';
import { pythonCases } from './cases.ts';

describe('playground_wrapper.rings (cases run by Python)', () => {
  const { ok } = pythonCases('rings');

  it('checks self-intersection with a sweep that stays fast on large rings', () => {
    const [problem, seconds] = ok('5000-vertex valid ring') as [string | null, number];
    expect(problem).toBeNull();
    expect(seconds).toBeLessThan(2);
    expect(ok('segments touching at an end')).toBe(true);
    expect(ok('parallel segments')).toBe(false);
    expect(ok('collinear disjoint segments')).toBe(false);
  });
});
