/**
 * How a pipeline run changes, as pure functions: the first run after approval, a retry's
 * plan, which step comes next, a step starting, ending or failing, a cancel. The steps in
 * src/pipeline make the calls to Cloud Build and App Engine and store what these return;
 * nothing here reads a clock (callers pass `now`) or talks to anything.
 */
import {
  CHECKLIST,
  freshSteps,
  type Milestone,
  type PipelineRun,
  type StepName,
  versionConsoleUrl,
} from './pipeline-run.ts';
import type { LiveCheck } from './results.ts';
import type { Action, Status } from './status.ts';
import { currentRevision, type Submission } from './submission.ts';
import { defaultVersionId, retryVersionId } from './version-id.ts';
import { housekeepingOwed } from './version-lifecycle.ts';

/** Statuses in which the pipeline still has work to do. */
const WORKING: ReadonlySet<Status> = new Set(['approved', 'building', 'testing', 'deploying']);

export function isWorking(status: Status): boolean {
  return WORKING.has(status);
}

/**
 * Whether a pipeline still needs a tracker: it is working, or it ended (failed, cancelled,
 * live) and its outcome has not been announced yet. Stored as `tracking` so that finding
 * in-flight pipelines is one equality query, however long the history grows. A failed or
 * cancelled run is resubmitted only once it no longer needs one (its end told).
 */
export function needsTracking(status: Status, run: PipelineRun): boolean {
  switch (status) {
    case 'live':
      return run.announced.live !== run.attempt || housekeepingOwed(run);
    case 'failed':
      return run.announced.failed !== run.attempt;
    case 'cancelled':
      return run.announced.cancelled !== run.attempt;
    case 'approved':
    case 'building':
    case 'testing':
    case 'deploying':
      return true;
    default:
      return false;
  }
}

/** The first run of an approved submission: every step still to do. */
export function firstRun(submission: Submission, registry: string): PipelineRun {
  const approval = submission.approval;
  if (!approval) throw new Error(`${submission.id} has no approval to deploy`);
  const spec = currentRevision(submission).spec;
  const tag = defaultVersionId(submission.id, submission.revision);
  const versionId = approval.versionLabel ?? tag;
  return {
    attempt: 1,
    project: approval.project,
    service: spec.service,
    versionId,
    promote: approval.promote,
    image: `${registry}/${spec.service}:${tag}`,
    steps: freshSteps(),
    consoleUrl: versionConsoleUrl(approval.project, spec.service, versionId),
    announced: {},
  };
}

/** The steps a retry keeps when it only deploys: everything up to the pushed image. */
const BUILT: readonly StepName[] = ['render', 'wrap', 'test', 'push'];

/**
 * What a retry after a failure at that step keeps (when the image was pushed): a failed
 * promote keeps the version, a failed live check keeps the version and its traffic.
 */
const KEPT_BY_RETRY: Partial<Record<StepName, readonly StepName[]>> = {
  promote: [...BUILT, 'deploy'],
  verify: [...BUILT, 'deploy', 'promote'],
};

/**
 * The next attempt of a failed run, and the action that starts it. What already worked is
 * kept: a pushed image is not rebuilt, a created version is not created again when only
 * moving traffic to it failed.
 */
export function retryRun(previous: PipelineRun): {
  run: PipelineRun;
  action: Extract<Action, 'start_build' | 'start_deploy'>;
} {
  const failed = previous.failure?.step;
  const deployOnly =
    previous.imageDigest !== undefined &&
    (failed === 'deploy' || failed === 'promote' || failed === 'verify');
  const kept = KEPT_BY_RETRY[failed ?? 'render'] ?? BUILT;
  const steps = freshSteps();
  if (deployOnly) for (const name of kept) steps[name] = previous.steps[name];
  const {
    failure: _failure,
    deployRequestedAt: _r,
    deployOperation: _d,
    promoteOperation: _p,
    // A new attempt takes its turn on the service again: the failure gave it up.
    turn: _t,
    // The live check runs again on every attempt.
    liveCheck: _l,
    ...rest
  } = previous;
  const attempt = previous.attempt + 1;
  // A create abandoned at its deadline may still make its version: deploy another id.
  const abandoned = previous.failure?.kind === 'deadline' && failed === 'deploy';
  const versionId = abandoned ? retryVersionId(previous, attempt) : previous.versionId;
  const run: PipelineRun = {
    ...rest,
    attempt,
    steps,
    ...(abandoned
      ? { versionId, consoleUrl: versionConsoleUrl(previous.project, previous.service, versionId) }
      : {}),
    ...(deployOnly
      ? {}
      : {
          buildRequested: undefined,
          buildId: undefined,
          buildLogUrl: undefined,
          imageDigest: undefined,
          checks: undefined,
        }),
  };
  return { run, action: deployOnly ? 'start_deploy' : 'start_build' };
}

/** The one next thing to do for a run, from the submission's status and what the run holds. */
export type NextStep =
  /** Cancelled: stop the build if it still runs, tell the thread, let go. */
  | { step: 'wind_down' }
  /** Live or failed: make sure the outcome was told, then let go. */
  | { step: 'tell_outcome'; milestone: Extract<Milestone, 'live' | 'failed'> }
  /** Before anything else, each attempt takes its turn on its service (or waits for it). */
  | { step: 'take_turn' }
  | { step: 'start_build' }
  /** The build (wrap, test, push) runs: read it. */
  | { step: 'poll_build' }
  | { step: 'create_version' }
  | { step: 'poll_deploy'; operation: string }
  /** Deployed (maybe by an earlier attempt whose promote failed): move traffic, or skip. */
  | { step: 'promote' }
  | { step: 'poll_promote'; operation: string }
  /** Live with all traffic and told: after a grace, stop and delete the service's old versions. */
  | { step: 'housekeeping' }
  /** Deployed and (when asked) promoted: the bot checks the version's URL before "is live". */
  | { step: 'verify' };

export function nextStep(status: Status, run: PipelineRun): NextStep {
  if (status === 'cancelled') return { step: 'wind_down' };
  if (status === 'live' && wasAnnounced(run, 'live') && housekeepingOwed(run)) {
    return { step: 'housekeeping' };
  }
  if (!isWorking(status)) {
    return { step: 'tell_outcome', milestone: status === 'live' ? 'live' : 'failed' };
  }
  if (run.turn?.state !== 'holding') return { step: 'take_turn' };
  if (!run.buildId && !run.imageDigest) return { step: 'start_build' };
  if (!run.imageDigest || status !== 'deploying') return { step: 'poll_build' };
  if (run.steps.deploy.state !== 'done') {
    return run.deployOperation
      ? { step: 'poll_deploy', operation: run.deployOperation }
      : { step: 'create_version' };
  }
  const promote = run.steps.promote.state;
  if (promote !== 'done' && promote !== 'skipped') {
    return run.promoteOperation
      ? { step: 'poll_promote', operation: run.promoteOperation }
      : { step: 'promote' };
  }
  return { step: 'verify' };
}

export function wasAnnounced(run: PipelineRun, kind: Milestone): boolean {
  return run.announced[kind] === run.attempt;
}

export function markAnnounced(run: PipelineRun, kind: Milestone): PipelineRun {
  return { ...run, announced: { ...run.announced, [kind]: run.attempt } };
}

/** Cloud Build took the build: the bundle was rendered between `renderedFrom` and `now`. */
export function buildStarted(
  run: PipelineRun,
  started: { buildId: string; logUrl?: string; timeoutSeconds?: number },
  renderedFrom: Date,
  now: Date,
): PipelineRun {
  return {
    ...run,
    buildRequested: true,
    buildId: started.buildId,
    ...(started.logUrl ? { buildLogUrl: started.logUrl } : {}),
    ...(started.timeoutSeconds ? { buildTimeoutSeconds: started.timeoutSeconds } : {}),
    steps: { ...run.steps, render: { state: 'done', startedAt: renderedFrom, endedAt: now } },
  };
}

/** The wrapped image by its pushed digest: what App Engine deploys. */
export function deployImage(run: PipelineRun): string {
  return `${run.image.replace(/:[^:/]+$/, '')}@${run.imageDigest}`;
}

/** Noted before App Engine is asked for the version, so a resume looks for that create. */
export function deployRequested(run: PipelineRun, now: Date): PipelineRun {
  return {
    ...run,
    deployRequestedAt: now,
    steps: { ...run.steps, deploy: { state: 'running', startedAt: now } },
  };
}

export function promoteRequested(run: PipelineRun, operation: string, now: Date): PipelineRun {
  return {
    ...run,
    promoteOperation: operation,
    steps: { ...run.steps, promote: { state: 'running', startedAt: now } },
  };
}

/** The approver asked for no traffic: the deployed version is live as it is. */
export function promoteSkipped(run: PipelineRun): PipelineRun {
  return { ...run, steps: { ...run.steps, promote: { state: 'skipped' } } };
}

/** The run with `step` ended at `now`, its start kept. */
export function endStep(
  run: PipelineRun,
  step: StepName,
  state: 'done' | 'failed',
  now: Date,
): PipelineRun {
  return { ...run, steps: { ...run.steps, [step]: { ...run.steps[step], state, endedAt: now } } };
}

/** The step a refused call fails: the one under way, else the next one to do. */
export function currentStep(run: PipelineRun): StepName {
  return (
    CHECKLIST.find((name) => run.steps[name].state === 'running') ??
    CHECKLIST.find((name) => run.steps[name].state === 'pending') ??
    'deploy'
  );
}

/** The run with every step under way or still to do marked cancelled. */
export function cancelSteps(run: PipelineRun, now: Date): PipelineRun {
  const steps = { ...run.steps };
  for (const name of CHECKLIST) {
    const step = steps[name];
    if (step.state === 'running' || step.state === 'pending') {
      steps[name] = { ...step, state: 'cancelled', ...(step.startedAt ? { endedAt: now } : {}) };
    }
  }
  return { ...run, steps };
}

/** The live check is under way: stored before the bot calls the version's URL. */
export function verifyStarted(run: PipelineRun, now: Date): PipelineRun {
  return { ...run, steps: { ...run.steps, verify: { state: 'running', startedAt: now } } };
}

/** What the live check found, and the `verify` step ended by it. */
export function verified(run: PipelineRun, check: LiveCheck): PipelineRun {
  return { ...endStep(run, 'verify', check.ok ? 'done' : 'failed', check.at), liveCheck: check };
}
