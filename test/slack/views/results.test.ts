import { describe, expect, it } from 'vitest';
import { acceptanceResults, formatMs, liveCheckResults } from '../../../src/slack/views/results.ts';

describe('acceptanceResults', () => {
  it('lists passed checks compactly, counting the features process found', () => {
    expect(
      acceptanceResults([
        { name: 'health', ok: true, detail: '200 OK' },
        { name: 'process', ok: true, detail: '1 feature(s) on a 304 px tile at zoom 16' },
        { name: 'error-bad-json', ok: true },
      ]),
    ).toBe('*Acceptance test:* health ✓ · process: 1 feature ✓ · error-bad-json ✓');
    expect(acceptanceResults([{ name: 'process', ok: true, detail: '3 feature(s)' }])).toBe(
      '*Acceptance test:* process: 3 features ✓',
    );
    expect(acceptanceResults([])).toBeUndefined();
    expect(acceptanceResults(undefined)).toBeUndefined();
  });

  it('puts the failed checks first, each with why (escaped), then the passed ones', () => {
    expect(
      acceptanceResults([
        { name: 'health', ok: true },
        { name: 'process', ok: false, detail: 'HTTP 500: <b>boom</b> & more' },
        { name: 'error-wrong-size', ok: false, detail: 'HTTP 200, expected a 4xx error' },
      ]),
    ).toBe(
      [
        '*Acceptance test:* 2 of 3 checks failed',
        '✗ process: HTTP 500: &lt;b&gt;boom&lt;/b&gt; &amp; more',
        '✗ error-wrong-size: HTTP 200, expected a 4xx error',
        'passed: health ✓',
      ].join('\n'),
    );
  });
});

describe('liveCheckResults', () => {
  it('says what each probe found, with timings; a failed probe says why', () => {
    const at = new Date();
    expect(
      liveCheckResults({
        url: 'https://v',
        ok: true,
        at,
        probes: [
          { name: 'health', ok: true, status: 200, ms: 41, detail: 'OK' },
          { name: 'describe', ok: true, status: 200, ms: 12, detail: 'name boats' },
          { name: 'process', ok: true, status: 200, ms: 1234, detail: '3 features' },
        ],
      }),
    ).toBe(
      "*Live check* of the version's URL: health 200 in 41 ms · describe: name boats · process: 3 features in 1.2 s",
    );
    expect(
      liveCheckResults({
        url: 'https://v',
        ok: false,
        at,
        probes: [{ name: 'health', ok: false, ms: 10_000, detail: 'no answer within 10 s' }],
      }),
    ).toBe("*Live check* of the version's URL: ✗ health: no answer within 10 s");
    expect(liveCheckResults(undefined)).toBeUndefined();
    expect(formatMs(999)).toBe('999 ms');
  });
});
