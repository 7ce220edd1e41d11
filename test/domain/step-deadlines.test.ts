import { describe, expect, it } from 'vitest';
import type { PipelineRun } from '../../src/domain/pipeline-run.ts';
import { retryRun } from '../../src/domain/run-transitions.ts';
import {
  DEFAULT_DEADLINES,
  deadlineFailure,
  overdue,
  STALL_FLOOR_MS,
  stallLimitMs,
  stepDeadline,
} from '../../src/domain/step-deadlines.ts';
import { retryVersionId } from '../../src/domain/version-id.ts';
import { sampleRun } from '../helpers/sample-run.ts';

const T0 = new Date('2026-03-01T10:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const MIN = 60_000;

/** A run whose build was created at T0 and is still going (its wrap step queued). */
function building(overrides: Partial<PipelineRun> = {}): PipelineRun {
  const run = sampleRun({ buildId: 'b-1', buildTimeoutSeconds: 3000, ...overrides });
  run.steps.render = { state: 'done', startedAt: T0, endedAt: T0 };
  return run;
}

function deploying(operation = 'apps/pg-prod/operations/op-1'): PipelineRun {
  const run = building({ imageDigest: 'sha256:abc', deployOperation: operation });
  run.steps.deploy = { state: 'running', startedAt: T0 };
  return run;
}

describe('stepDeadline', () => {
  it('gives a build its own Cloud Build timeout plus the margin, from its creation while queued, then from its start', () => {
    const queued = building();
    expect(stepDeadline(queued, DEFAULT_DEADLINES)).toMatchObject({
      step: 'wrap',
      since: T0,
      limitMs: 3000_000 + DEFAULT_DEADLINES.buildMarginMs,
      waitingFor: 'Cloud Build build b-1',
    });
    const started = building();
    started.steps.wrap = { state: 'done', startedAt: at(5 * MIN), endedAt: at(9 * MIN) };
    started.steps.test = { state: 'running', startedAt: at(9 * MIN) };
    expect(stepDeadline(started, DEFAULT_DEADLINES)).toMatchObject({
      step: 'test',
      since: at(5 * MIN),
    });
  });

  it('gives a build adopted without a known timeout the longest Cloud Build allows', () => {
    const run = building({ buildTimeoutSeconds: undefined });
    expect(stepDeadline(run, DEFAULT_DEADLINES)?.limitMs).toBe(
      24 * 3600_000 + DEFAULT_DEADLINES.buildMarginMs,
    );
  });

  it('measures the version create and the promote from their own start', () => {
    expect(stepDeadline(deploying(), DEFAULT_DEADLINES)).toMatchObject({
      step: 'deploy',
      since: T0,
      limitMs: 45 * MIN,
    });
    const promoting = deploying();
    promoting.steps.deploy = { state: 'done', startedAt: T0, endedAt: at(MIN) };
    promoting.steps.promote = { state: 'running', startedAt: at(2 * MIN) };
    promoting.promoteOperation = 'apps/pg-prod/operations/op-2';
    expect(stepDeadline(promoting, DEFAULT_DEADLINES)).toMatchObject({
      step: 'promote',
      since: at(2 * MIN),
      limitMs: 10 * MIN,
      waitingFor: "App Engine's traffic change apps/pg-prod/operations/op-2",
    });
  });

  it('has no deadline before the build exists or once the steps are done', () => {
    expect(stepDeadline(sampleRun(), DEFAULT_DEADLINES)).toBeUndefined();
    const done = deploying();
    done.steps.deploy = { state: 'done', startedAt: T0, endedAt: at(MIN) };
    done.steps.promote = { state: 'done', startedAt: at(MIN), endedAt: at(2 * MIN) };
    expect(stepDeadline(done, DEFAULT_DEADLINES)).toBeUndefined();
  });
});

describe('overdue and deadlineFailure', () => {
  it('is overdue only past the deadline, and says what was waited for and how long', () => {
    const run = deploying('apps/p1/operations/abc');
    expect(overdue(run, DEFAULT_DEADLINES, at(45 * MIN))).toBeUndefined();
    const late = overdue(run, DEFAULT_DEADLINES, at(46 * MIN + 4_000));
    expect(late?.waitedMs).toBe(46 * MIN + 4_000);
    expect(late && deadlineFailure(late.deadline, late.waitedMs)).toEqual({
      step: 'deploy',
      kind: 'deadline',
      detail:
        "App Engine's create operation apps/p1/operations/abc did not finish within 45m (waited 46m 4s); version pg-0042-r1 may still appear: Retry deploys again as a new version; Cancel deletes it once App Engine has made it",
    });
  });
});

describe('stallLimitMs', () => {
  it("is twice the step's deadline, at least 15 minutes, unless configured (never below the deadline)", () => {
    expect(stallLimitMs(deploying(), DEFAULT_DEADLINES)).toBe(90 * MIN);
    expect(stallLimitMs(sampleRun(), DEFAULT_DEADLINES)).toBe(STALL_FLOOR_MS);
    expect(stallLimitMs(deploying(), { ...DEFAULT_DEADLINES, promoteMs: MIN, deployMs: MIN })).toBe(
      STALL_FLOOR_MS,
    );
    expect(stallLimitMs(sampleRun(), { ...DEFAULT_DEADLINES, stallAfterMs: 5_000 })).toBe(5_000);
    // Never within the step's deadline: a pipeline still stepped fails there first.
    expect(stallLimitMs(deploying(), { ...DEFAULT_DEADLINES, stallAfterMs: 5_000 })).toBe(45 * MIN);
  });
});

describe('a retry after a deploy deadline', () => {
  it('deploys another version id, since the abandoned create may still make its own', () => {
    const failed: PipelineRun = {
      ...deploying(),
      failure: { step: 'deploy', kind: 'deadline', detail: 'late' },
    };
    const { run, action } = retryRun(failed);
    expect(action).toBe('start_deploy');
    expect(run.versionId).toBe('pg-0042-r1-a2');
    expect(run.consoleUrl).toContain('versionId=pg-0042-r1-a2');
    const again = retryRun({ ...run, steps: failed.steps, failure: failed.failure });
    expect(again.run.versionId).toBe('pg-0042-r1-a3');
  });

  it('keeps the version id after any other deploy failure', () => {
    const failed: PipelineRun = { ...deploying(), failure: { step: 'deploy', detail: 'nope' } };
    expect(retryRun(failed).run.versionId).toBe('pg-0042-r1');
  });

  it('shortens the id so that VERSION-dot-SERVICE-dot-PROJECT stays within 63 characters', () => {
    const previous = {
      versionId: 'a-long-version-label-x',
      attempt: 1,
      service: 'a-rather-long-service',
      project: 'pg-prod-1',
    };
    const id = retryVersionId(previous, 2);
    expect(id).toMatch(/-a2$/);
    expect(`${id}-dot-${previous.service}-dot-${previous.project}`.length).toBeLessThanOrEqual(63);
    expect(id).not.toMatch(/--/);
  });
});
