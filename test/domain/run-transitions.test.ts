import { describe, expect, it } from 'vitest';
import { CHECKLIST, type PipelineRun, type StepProgress } from '../../src/domain/pipeline-run.ts';
import {
  buildStarted,
  cancelSteps,
  currentStep,
  deployImage,
  deployRequested,
  endStep,
  firstRun,
  isWorking,
  markAnnounced,
  needsTracking,
  nextStep,
  promoteRequested,
  promoteSkipped,
  retryRun,
  wasAnnounced,
} from '../../src/domain/run-transitions.ts';
import { STATUSES } from '../../src/domain/status.ts';
import type { Approval, Submission } from '../../src/domain/submission.ts';
import { sampleRun } from '../helpers/sample-run.ts';
import { sampleSpec } from '../helpers/sample-spec.ts';

const T0 = new Date('2026-03-02T10:00:00Z');
const T1 = new Date('2026-03-02T10:05:00Z');
const REGISTRY = 'europe-docker.pkg.dev/pg-bot-1/playground';
const DIGEST = `sha256:${'a'.repeat(64)}`;
/** A run that has its service's turn (every attempt takes it before its first step). */
const HOLDING = { turn: { state: 'holding', since: T0 } } as const;

function approved(approval: Partial<Approval> = {}, revision = 2): Submission {
  return {
    id: 'PG-0042',
    status: 'approved',
    partner: { userId: 'U1' },
    revision,
    revisions: [1, 2].map((number) => ({
      number,
      spec: sampleSpec({ service: `svc-r${number}` }),
      warnings: [],
      submittedBy: { userId: 'U1' },
      submittedAt: T0,
    })),
    approval: { project: 'pg-prod', promote: true, by: { userId: 'U9' }, at: T0, ...approval },
    createdAt: T0,
    updatedAt: T0,
  };
}

const done = (startedAt = T0): StepProgress => ({ state: 'done', startedAt, endedAt: T1 });

/** A run that built and pushed its image, then failed at `step` (deploy or promote). */
function failedAfterPush(step: 'deploy' | 'promote', overrides: Partial<PipelineRun> = {}) {
  const run = sampleRun({
    attempt: 2,
    buildRequested: true,
    buildId: 'b-1',
    buildLogUrl: 'https://console.cloud.google.com/cloud-build/builds/b-1',
    imageDigest: DIGEST,
    deployRequestedAt: T0,
    deployOperation: 'apps/pg-prod/operations/create-1',
    versionUrl: 'https://pg-0042-r1-dot-my-service-dot-pg-prod.ew.r.appspot.com',
    statusMessage: { channel: 'C1', ts: '1.2' },
    announced: { started: 2, failed: 2 },
    failure: { step, detail: 'readiness check failed' },
    ...overrides,
  });
  for (const name of ['render', 'wrap', 'test', 'push'] as const) run.steps[name] = done();
  if (step === 'promote') {
    run.steps.deploy = done();
    run.promoteOperation = 'apps/pg-prod/operations/promote-1';
    run.steps.promote = { state: 'failed', startedAt: T0, endedAt: T1 };
  } else {
    run.steps.deploy = { state: 'failed', startedAt: T0, endedAt: T1 };
  }
  return run;
}

describe('firstRun', () => {
  it('builds the current revision into the approver project, every step pending', () => {
    const run = firstRun(approved(), REGISTRY);
    expect(run).toEqual({
      attempt: 1,
      project: 'pg-prod',
      service: 'svc-r2',
      versionId: 'pg-0042-r2',
      promote: true,
      image: `${REGISTRY}/svc-r2:pg-0042-r2`,
      steps: Object.fromEntries(CHECKLIST.map((name) => [name, { state: 'pending' }])),
      consoleUrl:
        'https://console.cloud.google.com/appengine/versions?project=pg-prod&serviceId=svc-r2&versionId=pg-0042-r2',
      announced: {},
    });
  });

  it("takes the approver's version label, and keeps the image tag from id and revision", () => {
    const run = firstRun(approved({ versionLabel: 'v7', promote: false }, 1), REGISTRY);
    expect(run.versionId).toBe('v7');
    expect(run.promote).toBe(false);
    expect(run.image).toBe(`${REGISTRY}/svc-r1:pg-0042-r1`);
    expect(run.consoleUrl).toContain('versionId=v7');
  });

  it('refuses a submission nobody approved', () => {
    const { approval: _approval, ...unapproved } = approved();
    expect(() => firstRun(unapproved, REGISTRY)).toThrow('PG-0042 has no approval to deploy');
  });
});

describe('retryRun', () => {
  it('rebuilds from scratch when the build failed', () => {
    const previous = sampleRun({
      buildRequested: true,
      buildId: 'b-1',
      buildLogUrl: 'https://console.cloud.google.com/cloud-build/builds/b-1',
      statusMessage: { channel: 'C1', ts: '1.2' },
      announced: { started: 1, failed: 1 },
      failure: { step: 'test', detail: 'FAIL health', logTail: ['FAIL health'] },
      ...HOLDING,
    });
    previous.steps.render = done();
    previous.steps.wrap = done();
    previous.steps.test = { state: 'failed', startedAt: T0, endedAt: T1 };
    const { run, action } = retryRun(previous);
    expect(action).toBe('start_build');
    expect(run.attempt).toBe(2);
    expect(Object.values(run.steps).every((step) => step.state === 'pending')).toBe(true);
    expect(run.failure).toBeUndefined();
    // The failure gave the service up: the new attempt takes its turn again.
    expect(run.turn).toBeUndefined();
    expect(nextStep('building', run)).toEqual({ step: 'take_turn' });
    for (const key of ['buildRequested', 'buildId', 'buildLogUrl', 'imageDigest'] as const) {
      expect(run[key]).toBeUndefined();
    }
    // What is not about the build carries over: the thread's message, earlier milestones.
    expect(run.statusMessage).toEqual({ channel: 'C1', ts: '1.2' });
    expect(run.announced).toEqual({ started: 1, failed: 1 });
    expect(previous.failure?.step).toBe('test'); // the previous run is left as it was
  });

  it('only deploys again when the image was pushed and the deploy failed', () => {
    const previous = failedAfterPush('deploy');
    const { run, action } = retryRun(previous);
    expect(action).toBe('start_deploy');
    expect(run.attempt).toBe(3);
    for (const name of ['render', 'wrap', 'test', 'push'] as const) {
      expect(run.steps[name]).toEqual(previous.steps[name]);
    }
    expect(run.steps.deploy).toEqual({ state: 'pending' });
    expect(run.steps.promote).toEqual({ state: 'pending' });
    expect(run).toMatchObject({ buildId: 'b-1', imageDigest: DIGEST });
    for (const key of ['failure', 'deployRequestedAt', 'deployOperation', 'promoteOperation']) {
      expect(run).not.toHaveProperty(key);
    }
  });

  it('only moves the traffic again when the version exists and the promote failed', () => {
    const previous = failedAfterPush('promote');
    const { run, action } = retryRun(previous);
    expect(action).toBe('start_deploy');
    expect(run.steps.deploy).toEqual(previous.steps.deploy);
    expect(run.steps.promote).toEqual({ state: 'pending' });
    expect(run).not.toHaveProperty('promoteOperation');
    expect(nextStep('deploying', { ...run, ...HOLDING })).toEqual({ step: 'promote' });
  });

  it('only checks the live URL again when the live check failed, keeping version and traffic', () => {
    const previous = failedAfterPush('promote');
    previous.steps.promote = done();
    previous.steps.verify = { state: 'failed', startedAt: T1, endedAt: T1 };
    previous.failure = { step: 'verify', detail: 'health: HTTP 500' };
    previous.checks = [{ name: 'health', ok: true }];
    previous.liveCheck = { url: 'https://v.example', ok: false, probes: [], at: T1 };
    const { run, action } = retryRun(previous);
    expect(action).toBe('start_deploy');
    expect(run.steps.deploy).toEqual(previous.steps.deploy);
    expect(run.steps.promote).toEqual(previous.steps.promote);
    expect(run.steps.verify).toEqual({ state: 'pending' });
    expect(run.checks).toEqual(previous.checks);
    expect(run).not.toHaveProperty('liveCheck');
    expect(nextStep('deploying', { ...run, ...HOLDING })).toEqual({ step: 'verify' });
  });

  it('rebuilds when a deploy failed but no image digest was kept', () => {
    const { run, action } = retryRun(failedAfterPush('deploy', { imageDigest: undefined }));
    expect(action).toBe('start_build');
    expect(run.steps.push).toEqual({ state: 'pending' });
    expect(run.buildId).toBeUndefined();
  });
});

describe('nextStep', () => {
  it('winds a cancelled run down, and tells the outcome of a live or failed one', () => {
    const run = sampleRun();
    expect(nextStep('cancelled', run)).toEqual({ step: 'wind_down' });
    expect(nextStep('live', run)).toEqual({ step: 'tell_outcome', milestone: 'live' });
    expect(nextStep('failed', run)).toEqual({ step: 'tell_outcome', milestone: 'failed' });
  });

  it('takes the turn on the service before anything else, whatever the attempt kept', () => {
    expect(nextStep('approved', sampleRun())).toEqual({ step: 'take_turn' });
    const waiting = sampleRun({ turn: { state: 'waiting', for: 'PG-0041', since: T0 } });
    expect(nextStep('approved', waiting)).toEqual({ step: 'take_turn' });
    const pushed = sampleRun({ buildId: 'b-1', imageDigest: DIGEST });
    expect(nextStep('deploying', pushed)).toEqual({ step: 'take_turn' });
    expect(nextStep('cancelled', waiting)).toEqual({ step: 'wind_down' });
  });

  it('starts the build, then reads it until the image is pushed and deploying began', () => {
    expect(nextStep('approved', sampleRun(HOLDING))).toEqual({ step: 'start_build' });
    expect(nextStep('building', sampleRun({ buildId: 'b-1', ...HOLDING }))).toEqual({
      step: 'poll_build',
    });
    const pushed = sampleRun({ buildId: 'b-1', imageDigest: DIGEST, ...HOLDING });
    expect(nextStep('testing', pushed)).toEqual({ step: 'poll_build' });
    expect(nextStep('deploying', pushed)).toEqual({ step: 'create_version' });
  });

  it('follows the create operation, then promotes and follows that', () => {
    const pushed = sampleRun({ buildId: 'b-1', imageDigest: DIGEST, ...HOLDING });
    const creating = { ...pushed, deployOperation: 'op-create' };
    expect(nextStep('deploying', creating)).toEqual({
      step: 'poll_deploy',
      operation: 'op-create',
    });
    const deployed = endStep(creating, 'deploy', 'done', T1);
    expect(nextStep('deploying', deployed)).toEqual({ step: 'promote' });
    const promoting = promoteRequested(deployed, 'op-promote', T1);
    expect(nextStep('deploying', promoting)).toEqual({
      step: 'poll_promote',
      operation: 'op-promote',
    });
  });

  it('checks the live URL once traffic moved, or once a promote nobody asked for is skipped', () => {
    const deployed = endStep(sampleRun({ imageDigest: DIGEST, ...HOLDING }), 'deploy', 'done', T1);
    expect(nextStep('deploying', endStep(deployed, 'promote', 'done', T1))).toEqual({
      step: 'verify',
    });
    expect(nextStep('deploying', promoteSkipped(deployed))).toEqual({ step: 'verify' });
  });

  it('has work only while approved, building, testing or deploying', () => {
    const working = STATUSES.filter(isWorking);
    expect(working).toEqual(['approved', 'building', 'testing', 'deploying']);
  });
});

describe('step changes', () => {
  it('records a started build with its render step timed', () => {
    const run = buildStarted(sampleRun(), { buildId: 'b-1', logUrl: 'https://log/b-1' }, T0, T1);
    expect(run).toMatchObject({
      buildRequested: true,
      buildId: 'b-1',
      buildLogUrl: 'https://log/b-1',
    });
    expect(run.steps.render).toEqual({ state: 'done', startedAt: T0, endedAt: T1 });
    expect(buildStarted(sampleRun(), { buildId: 'b-2' }, T0, T1)).not.toHaveProperty('buildLogUrl');
  });

  it('deploys the image by its digest, in place of its tag', () => {
    const run = sampleRun({ imageDigest: DIGEST });
    expect(deployImage(run)).toBe(`europe-docker.pkg.dev/pg-bot-1/playground/my-service@${DIGEST}`);
  });

  it('notes the deploy request with its time and marks the deploy running', () => {
    const run = deployRequested(sampleRun(), T0);
    expect(run.deployRequestedAt).toBe(T0);
    expect(run.steps.deploy).toEqual({ state: 'running', startedAt: T0 });
  });

  it('ends a step keeping its start, and skips a promote nobody asked for', () => {
    const running = deployRequested(sampleRun(), T0);
    expect(endStep(running, 'deploy', 'failed', T1).steps.deploy).toEqual({
      state: 'failed',
      startedAt: T0,
      endedAt: T1,
    });
    expect(promoteSkipped(running).steps.promote).toEqual({ state: 'skipped' });
    expect(running.steps.deploy.state).toBe('running'); // the input is not changed
  });

  it('fails a refused call at the step under way, else the next one to do', () => {
    const run = sampleRun();
    expect(currentStep(run)).toBe('render');
    run.steps.render = done();
    run.steps.wrap = { state: 'running', startedAt: T0 };
    expect(currentStep(run)).toBe('wrap');
    for (const name of CHECKLIST) run.steps[name] = done();
    expect(currentStep(run)).toBe('deploy');
  });

  it('marks milestones told per attempt', () => {
    const run = markAnnounced(sampleRun({ attempt: 2, announced: { started: 1 } }), 'started');
    expect(run.announced).toEqual({ started: 2 });
    expect(wasAnnounced(run, 'started')).toBe(true);
    expect(wasAnnounced(run, 'failed')).toBe(false);
    expect(wasAnnounced({ ...run, attempt: 3 }, 'started')).toBe(false);
  });
});

describe('needsTracking', () => {
  it('tracks a working run, and an ended one until its end is told for this attempt', () => {
    for (const status of ['approved', 'building', 'testing', 'deploying'] as const) {
      expect(needsTracking(status, sampleRun())).toBe(true);
    }
    for (const status of ['failed', 'cancelled', 'live'] as const) {
      const milestone = status;
      expect(needsTracking(status, sampleRun())).toBe(true);
      expect(needsTracking(status, sampleRun({ announced: { [milestone]: 1 } }))).toBe(false);
      // Told for attempt 1 only: attempt 2's end is still owed.
      expect(needsTracking(status, sampleRun({ attempt: 2, announced: { [milestone]: 1 } }))).toBe(
        true,
      );
    }
    for (const status of ['submitted', 'changes_requested', 'rejected'] as const) {
      expect(needsTracking(status, sampleRun())).toBe(false);
    }
  });
});

describe('housekeeping of a live run', () => {
  const promoted = () => {
    const run = sampleRun({ announced: { live: 1 } });
    run.steps.promote = done();
    return run;
  };

  it('keeps a run whose version took all traffic tracked until its housekeeping is done', () => {
    expect(needsTracking('live', promoted())).toBe(true);
    expect(nextStep('live', promoted())).toEqual({ step: 'housekeeping' });
    const cleaned = { ...promoted(), housekeeping: { ...noWork(), state: 'done' as const } };
    expect(needsTracking('live', cleaned)).toBe(false);
    expect(nextStep('live', cleaned)).toEqual({ step: 'tell_outcome', milestone: 'live' });
  });

  it('tells the outcome first, and does nothing for a version deployed without traffic', () => {
    const untold = { ...promoted(), announced: {} };
    expect(nextStep('live', untold)).toEqual({ step: 'tell_outcome', milestone: 'live' });
    const skipped = sampleRun({ announced: { live: 1 } });
    skipped.steps.promote = { state: 'skipped' };
    expect(needsTracking('live', skipped)).toBe(false);
  });
});

function noWork() {
  return {
    state: 'working' as const,
    stop: [],
    remove: [],
    keptServing: [],
    stopped: [],
    removed: [],
  };
}

describe('cancelSteps', () => {
  it('cancels the steps under way or to do, ending only those that had started', () => {
    const run = sampleRun();
    run.steps.render = done();
    run.steps.wrap = { state: 'running', startedAt: T0 };
    run.steps.promote = { state: 'skipped' };
    const cancelled = cancelSteps(run, T1);
    expect(cancelled.steps).toEqual({
      render: done(),
      wrap: { state: 'cancelled', startedAt: T0, endedAt: T1 },
      test: { state: 'cancelled' },
      push: { state: 'cancelled' },
      deploy: { state: 'cancelled' },
      promote: { state: 'skipped' },
      verify: { state: 'cancelled' },
    });
    expect(run.steps.wrap.state).toBe('running');
  });
});
