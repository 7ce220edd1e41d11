// Results in the thread: the acceptance test's checks (from the test step's output, or its
// log when it failed) and the bot's own live check of the version's URL before "is live".
import { describe, expect, it } from 'vitest';
import { APPROVER, botPerTest, eventually } from '../slack/harness.ts';
import { reaches, submitAndApprove, text, thread } from './flow-helpers.ts';

const bot = botPerTest();

/** What the test step writes to $BUILDER_OUTPUT/output when every check passes. */
const PASSED = [
  'PASS health: 200 {"state": "ready"}',
  'PASS describe: 1 links',
  'PASS openapi: 7021 bytes',
  'PASS process: 3 feature(s) on a 304 px tile at zoom 16',
  'PASS error-bad-json: HTTP 400: the body is not valid JSON',
  'PASS error-empty-tiles: HTTP 400: tiles is empty',
];

/** The thread reply whose text matches, once delivered. */
function reply(b: Awaited<ReturnType<typeof bot>>, pattern: RegExp) {
  return eventually(() => {
    const found = thread(b).replies.find((r) => pattern.test(text(r)));
    if (!found) throw new Error(`no reply matching ${pattern}`);
    return found;
  });
}

describe('results in the thread', () => {
  it('on success: the acceptance checks and what the live check of the version URL found', async () => {
    const b = await bot();
    b.cloudBuild.script('next', { steps: { test: { output: `${PASSED.join('\n')}\n` } } });
    const id = await submitAndApprove(b);
    const live = await reaches(b, id, 'live');
    const run = live.pipeline;
    expect(run?.steps.verify.state).toBe('done');
    expect(run?.checks?.map((c) => [c.name, c.ok])).toEqual([
      ['health', true],
      ['describe', true],
      ['openapi', true],
      ['process', true],
      ['error-bad-json', true],
      ['error-empty-tiles', true],
    ]);
    // The bot called the version's own URL: health, describe, then process with a tile.
    expect(run?.versionUrl).toBe(b.versions.url);
    expect(b.versions.requests().map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/v1/health',
      'GET /api/v1/describe',
      'POST /api/v1/process',
    ]);
    expect(run?.liveCheck?.probes.map((p) => [p.name, p.ok, p.detail])).toEqual([
      ['health', true, 'OK'],
      ['describe', true, 'name simulated-model'],
      ['process', true, '3 features'],
    ]);

    const said = text(await reply(b, / is live/));
    expect(said).toContain(
      'health ✓ · describe ✓ · openapi ✓ · process: 3 features ✓ · error-bad-json ✓ · error-empty-tiles ✓',
    );
    expect(said).toMatch(
      /health 200 in \d+ ms · describe: name simulated-model · process: 3 features in \d+(\.\d)? m?s/,
    );
  });

  it('on a failed test: the failed checks first, read from the end of the log', async () => {
    const b = await bot();
    const lines = ['PASS health: 200', 'PASS describe: 1 links', 'FAIL process: HTTP 500: boom'];
    b.cloudBuild.script('next', {
      steps: {
        test: {
          status: 'FAILURE',
          logs: [
            ...lines,
            "--- last 100 lines of the wrapped service's log:",
            'Traceback …',
            '--- the acceptance checks:',
            ...lines,
          ],
        },
      },
    });
    const id = await submitAndApprove(b);
    const failed = await reaches(b, id, 'failed');
    expect(failed.pipeline?.checks).toEqual([
      { name: 'health', ok: true, detail: '200' },
      { name: 'describe', ok: true, detail: '1 links' },
      { name: 'process', ok: false, detail: 'HTTP 500: boom' },
    ]);
    const said = text(await reply(b, /failed at \*Acceptance test\*/));
    expect(said).toContain(
      '1 of 3 checks failed\\n✗ process: HTTP 500: boom\\npassed: health ✓ · describe ✓',
    );
    // Nothing was deployed, so nothing was checked live.
    expect(b.versions.requests()).toEqual([]);
  });

  it('a version URL answering 500 fails at the live check with what it found; Retry checks again only', async () => {
    const b = await bot();
    b.versions.answer('health', { status: 500, body: '{"message": "model not loaded"}' });
    const id = await submitAndApprove(b);
    const failed = await reaches(b, id, 'failed');
    const run = failed.pipeline;
    expect(run?.failure).toEqual({
      step: 'verify',
      detail: `the version's URL ${b.versions.url} did not pass the live check (health: HTTP 500: {"message": "model not loaded"})`,
    });
    expect(run?.steps.promote.state).toBe('done');
    expect(run?.steps.verify.state).toBe('failed');
    const said = text(await reply(b, /failed at \*Live check\*/));
    expect(said).toContain('model not loaded');
    expect(said).toContain('✗ health: HTTP 500');

    b.versions.heal();
    await b.click(APPROVER, 'retry', id);
    const live = await reaches(b, id, 'live');
    expect(live.pipeline?.attempt).toBe(2);
    expect(live.pipeline?.steps.verify.state).toBe('done');
    // Nothing built, created or promoted again: only the live check ran again.
    expect(b.cloudBuild.createdBuilds()).toHaveLength(1);
    expect(b.appEngine.requestsTo('POST', /\/versions$/)).toHaveLength(1);
    expect(b.appEngine.requestsTo('PATCH', '/v1/apps/')).toHaveLength(1);
    expect(live.pipeline?.steps.deploy).toEqual(run?.steps.deploy);
    expect(live.pipeline?.steps.promote).toEqual(run?.steps.promote);
    expect(b.versions.requests().map((r) => r.path)).toEqual([
      '/api/v1/health',
      '/api/v1/health',
      '/api/v1/describe',
      '/api/v1/process',
    ]);
    await reply(b, / is live/);
  });
});
