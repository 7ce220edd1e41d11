import { describe, expect, it } from 'vitest';
import { liveCheckProblem, parseCheckLines } from '../../src/domain/results.ts';

describe('parseCheckLines', () => {
  it("reads check_service.py's PASS and FAIL lines, with or without a detail, and nothing else", () => {
    const lines = [
      'Step #3 - "test": starting',
      'PASS health: 200 {"state": "ready"}',
      'PASS describe',
      'FAIL process: HTTP 500 (transient): boom',
      "--- last 100 lines of the wrapped service's log:",
      'PASSWORD nonsense',
    ];
    expect(parseCheckLines(lines)).toEqual([
      { name: 'health', ok: true, detail: '200 {"state": "ready"}' },
      { name: 'describe', ok: true },
      { name: 'process', ok: false, detail: 'HTTP 500 (transient): boom' },
    ]);
  });

  it('keeps the last line of a check the log repeats, in the order it was last seen', () => {
    expect(
      parseCheckLines(['FAIL health: no answer', 'PASS openapi', 'FAIL health: timed out']),
    ).toEqual([
      { name: 'openapi', ok: true },
      { name: 'health', ok: false, detail: 'timed out' },
    ]);
  });
});

describe('liveCheckProblem', () => {
  it('names the URL and the first probe that failed, in its own words', () => {
    const problem = liveCheckProblem({
      url: 'https://v1-dot-svc-dot-p.appspot.com',
      ok: false,
      at: new Date(),
      probes: [
        { name: 'health', ok: true, status: 200, ms: 12, detail: '200' },
        {
          name: 'describe',
          ok: false,
          status: 500,
          ms: 30,
          detail: 'HTTP 500: {"message": "boom"}',
        },
        { name: 'process', ok: false, ms: 0, detail: 'not tried' },
      ],
    });
    expect(problem).toBe(
      'the version\'s URL https://v1-dot-svc-dot-p.appspot.com did not pass the live check (describe: HTTP 500: {"message": "boom"})',
    );
  });
});
