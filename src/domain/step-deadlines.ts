/**
 * How long each step of a pipeline may wait on Cloud Build or App Engine, and what the
 * thread is told when it waited longer: the build gets the timeout its own request gave
 * Cloud Build plus a margin (Cloud Build normally ends it with TIMEOUT first; this catches
 * a build that never reports an end), the version create and the promote get the
 * configured deadlines. Pure: callers pass `now`.
 */
import { formatDuration } from './duration.ts';
import type { PipelineFailure, PipelineRun, StepName } from './pipeline-run.ts';
import { currentStep } from './run-transitions.ts';

export interface DeadlineTuning {
  /** Past the build's own Cloud Build timeout, before the pipeline gives up on it. */
  buildMarginMs: number;
  /** The whole build's deadline instead of its timeout plus the margin (tests). */
  buildMs?: number;
  /** App Engine's create operation of the version (PLAYGROUND_DEPLOY_DEADLINE). */
  deployMs: number;
  /** App Engine's traffic change to the version (PLAYGROUND_PROMOTE_DEADLINE). */
  promoteMs: number;
  /**
   * No stored progress for this long is a stall (PLAYGROUND_STALL_AFTER, never less than the
   * step's deadline); by default twice the step's deadline, at least STALL_FLOOR_MS.
   */
  stallAfterMs?: number;
}

export const DEFAULT_DEADLINES: DeadlineTuning = {
  buildMarginMs: 10 * 60_000,
  // Readiness may wait 30 minutes for a model to load (app-engine-config.ts), on top of
  // the VMs starting: the create gets that and a margin.
  deployMs: 45 * 60_000,
  promoteMs: 10 * 60_000,
};

/** The shortest stall by default: a step without a deadline of its own is told after this. */
export const STALL_FLOOR_MS = 15 * 60_000;

/** A build whose timeout the run does not know (one adopted after a restart): Cloud Build's longest. */
const UNKNOWN_BUILD_TIMEOUT_SECONDS = 24 * 3600;

/** The wait a run is in, when it is one with a deadline. */
export interface StepDeadline {
  step: StepName;
  since: Date;
  limitMs: number;
  /** e.g. "App Engine's create operation apps/p1/operations/abc". */
  waitingFor: string;
  /** What may still happen, and what Retry and Cancel do then. */
  after: string;
}

/** The wait the run is in now (build, version create, promote), or undefined for none. */
export function stepDeadline(run: PipelineRun, tuning: DeadlineTuning): StepDeadline | undefined {
  const { deploy, promote, render, wrap } = run.steps;
  if (deploy.state === 'running' && deploy.startedAt) {
    const what = run.deployOperation
      ? `App Engine's create operation ${run.deployOperation}`
      : `App Engine's create of version ${run.versionId}`;
    return {
      step: 'deploy',
      since: deploy.startedAt,
      limitMs: tuning.deployMs,
      waitingFor: what,
      after: `version ${run.versionId} may still appear: Retry deploys again as a new version; Cancel deletes it once App Engine has made it`,
    };
  }
  if (promote.state === 'running' && promote.startedAt) {
    return {
      step: 'promote',
      since: promote.startedAt,
      limitMs: tuning.promoteMs,
      waitingFor: `App Engine's traffic change ${run.promoteOperation ?? `to version ${run.versionId}`}`,
      after: `traffic may still move to version ${run.versionId}: Retry moves it again, Cancel leaves it as it is`,
    };
  }
  // Cloud Build times a build from its start; one still queued, from its creation.
  const since = wrap.startedAt ?? render.endedAt;
  if (run.buildId && !run.imageDigest && since) {
    const timeoutMs = (run.buildTimeoutSeconds ?? UNKNOWN_BUILD_TIMEOUT_SECONDS) * 1000;
    return {
      step: currentStep(run),
      since,
      limitMs: tuning.buildMs ?? timeoutMs + tuning.buildMarginMs,
      waitingFor: `Cloud Build build ${run.buildId}`,
      after: 'Retry starts a new build, Cancel stops this one',
    };
  }
  return undefined;
}

/** The deadline the run is past at `now`, with how long it has waited; undefined if none. */
export function overdue(
  run: PipelineRun,
  tuning: DeadlineTuning,
  now: Date,
): { deadline: StepDeadline; waitedMs: number } | undefined {
  const deadline = stepDeadline(run, tuning);
  if (!deadline) return undefined;
  const waitedMs = now.getTime() - deadline.since.getTime();
  return waitedMs > deadline.limitMs ? { deadline, waitedMs } : undefined;
}

/** The failure of a step past its deadline: what was waited for, how long, what now. */
export function deadlineFailure(deadline: StepDeadline, waitedMs: number): PipelineFailure {
  const { step, limitMs, waitingFor, after } = deadline;
  return {
    step,
    kind: 'deadline',
    detail: `${waitingFor} did not finish within ${formatDuration(limitMs)} (waited ${formatDuration(waitedMs)}); ${after}`,
  };
}

/**
 * How long the run may go without stored progress before the sweep tells its thread; never
 * within its step's deadline, so a pipeline still stepped fails at its deadline instead.
 */
export function stallLimitMs(run: PipelineRun, tuning: DeadlineTuning): number {
  const deadlineMs = stepDeadline(run, tuning)?.limitMs ?? 0;
  if (tuning.stallAfterMs !== undefined) return Math.max(tuning.stallAfterMs, deadlineMs);
  return Math.max(STALL_FLOOR_MS, 2 * deadlineMs);
}

/** The stall limit no run goes below: what the sweep's query asks for at least. */
export function shortestStallMs(tuning: DeadlineTuning): number {
  return tuning.stallAfterMs ?? STALL_FLOOR_MS;
}
