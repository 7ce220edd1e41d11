import { describe, expect, it } from 'vitest';
import { observeBuild } from '../../src/pipeline/steps/observe-build.ts';
import type { BuildState, BuildStatus, BuildStepState } from '../../src/ports/build.ts';
import { sampleRun } from '../helpers/sample-run.ts';

const T = (minute: number) => new Date(Date.UTC(2026, 2, 2, 10, minute));
const DIGEST = `sha256:${'b'.repeat(64)}`;

/** A build step that started at `from` and, when `to` is given, ended then. */
function step(id: string, status: BuildStatus, from?: number, to?: number): BuildStepState {
  return {
    id,
    status,
    ...(from === undefined ? {} : { startedAt: T(from) }),
    ...(to === undefined ? {} : { endedAt: T(to) }),
  };
}

function build(status: BuildStatus, steps: BuildStepState[], extra: Partial<BuildState> = {}) {
  const done = !['pending', 'queued', 'working'].includes(status);
  return { id: 'b-1', status, done, steps, ...extra } satisfies BuildState;
}

const wrapped = [step('bundle', 'success', 0, 1), step('wrap', 'success', 1, 4)];

describe('observeBuild', () => {
  it('shows the wrap lines running while the build has not reached the test', () => {
    const observed = observeBuild(
      sampleRun(),
      build('working', [step('bundle', 'success', 0, 1), step('wrap', 'working', 1)], {
        detail: 'pulling the partner image',
        logUrl: 'https://log/b-1',
      }),
    );
    expect(observed.phase).toBe('building');
    expect(observed.run.steps.wrap).toEqual({ state: 'running', startedAt: T(0) });
    expect(observed.run.steps.test).toEqual({ state: 'pending' });
    expect(observed.run).toMatchObject({
      buildNote: 'pulling the partner image',
      buildLogUrl: 'https://log/b-1',
    });
  });

  it('is testing once the test steps have started', () => {
    const observed = observeBuild(
      sampleRun(),
      build('working', [
        ...wrapped,
        step('test-start', 'success', 4, 5),
        step('test', 'working', 5),
      ]),
    );
    expect(observed.phase).toBe('testing');
    expect(observed.run.steps.wrap).toEqual({ state: 'done', startedAt: T(0), endedAt: T(4) });
    expect(observed.run.steps.test).toEqual({ state: 'running', startedAt: T(4) });
  });

  it('is built when the build succeeded, with the pushed digest', () => {
    const observed = observeBuild(
      sampleRun(),
      build(
        'success',
        [
          ...wrapped,
          step('test-start', 'success', 4, 5),
          step('test', 'success', 5, 7),
          step('push', 'success', 7, 9),
        ],
        { imageDigest: DIGEST },
      ),
    );
    expect(observed.phase).toBe('built');
    expect(observed.run.imageDigest).toBe(DIGEST);
    for (const name of ['wrap', 'test', 'push'] as const) {
      expect(observed.run.steps[name].state).toBe('done');
    }
  });

  it('keeps the acceptance checks the test step wrote out; none when it wrote nothing', () => {
    const steps = [...wrapped, step('test', 'success', 5, 7), step('push', 'success', 7, 9)];
    const output = 'PASS health: 200\nPASS process: 3 feature(s) on a 304 px tile at zoom 16\n';
    const observed = observeBuild(
      sampleRun(),
      build('success', steps, { imageDigest: DIGEST, stepOutputs: { test: output } }),
    );
    expect(observed.run.checks).toEqual([
      { name: 'health', ok: true, detail: '200' },
      { name: 'process', ok: true, detail: '3 feature(s) on a 304 px tile at zoom 16' },
    ]);
    const quiet = observeBuild(sampleRun(), build('success', steps, { imageDigest: DIGEST }));
    expect(quiet.run).not.toHaveProperty('checks');
  });

  it("fails at the checklist line of Cloud Build's failed step, in its words", () => {
    const observed = observeBuild(
      sampleRun(),
      build(
        'failure',
        [...wrapped, step('test-start', 'success', 4, 5), step('test', 'failure', 5, 6)],
        { failure: { step: 'test', detail: 'build step 3 "test" failed' } },
      ),
    );
    expect(observed).toMatchObject({
      phase: 'failed',
      failure: { step: 'test', detail: 'build step 3 "test" failed' },
    });
    expect(observed.run.steps.test.state).toBe('failed');
    expect(observed.run.steps.push).toEqual({ state: 'pending' });
  });

  it('fails a timed-out build at the step it was running, ended when the build ended', () => {
    const observed = observeBuild(
      sampleRun(),
      build(
        'timeout',
        [...wrapped, step('test-start', 'success', 4, 5), step('test', 'working', 5)],
        {
          endedAt: T(30),
        },
      ),
    );
    expect(observed).toMatchObject({
      phase: 'failed',
      failure: { step: 'test', detail: 'the build ended with status timeout' },
    });
    expect(observed.run.steps.test).toEqual({ state: 'failed', startedAt: T(4), endedAt: T(30) });
  });

  it('reports a build cancelled outside the bot', () => {
    const observed = observeBuild(
      sampleRun(),
      build('cancelled', [step('bundle', 'success', 0, 1), step('wrap', 'cancelled', 1, 2)]),
    );
    expect(observed.phase).toBe('cancelled');
    expect(observed.run.steps.wrap.state).toBe('cancelled');
  });
});
