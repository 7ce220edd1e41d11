/**
 * The state of a submission's build-and-deploy pipeline, stored with the submission so
 * that any bot instance can resume it after a crash. Pure data and pure helpers only.
 */

import type { CheckResult, LiveCheck } from './results.ts';
import type { Housekeeping, VersionRemoval, VersionRoom } from './version-lifecycle.ts';

/** The checklist shown in the thread, in order. `verify` is the bot's live check of the version URL. */
export const CHECKLIST = ['render', 'wrap', 'test', 'push', 'deploy', 'promote', 'verify'] as const;
export type StepName = (typeof CHECKLIST)[number];

export type StepState = 'pending' | 'running' | 'done' | 'failed' | 'skipped' | 'cancelled';

export interface StepProgress {
  state: StepState;
  startedAt?: Date;
  endedAt?: Date;
}

/** What the thread is told about a run, once per attempt each. */
export type Milestone = 'started' | 'failed' | 'live' | 'cancelled';

/** Last lines of a failed step's log kept with the failure and shown in the thread. */
export const LOG_TAIL_LINES = 25;

export interface PipelineFailure {
  step: StepName;
  detail: string;
  /** The last lines of the failing step's log, when the build service gives them. */
  logTail?: string[];
  /** The Cloud Build step that failed (`test-start`, `test`...), for Show log to read its log. */
  buildStep?: string;
  /** `deadline`: the step did not end in time (step-deadlines.ts); approvers are told. */
  kind?: 'deadline';
}

export interface PipelineRun {
  /** 1 for the first run after approval, +1 for each retry. */
  attempt: number;
  project: string;
  service: string;
  versionId: string;
  promote: boolean;
  /** Where the wrapped image is pushed: registry/service:pg-0042-r1. */
  image: string;
  steps: Record<StepName, StepProgress>;
  /** Set before Cloud Build is asked for the build: on resume without a buildId, look for it. */
  buildRequested?: boolean;
  buildId?: string;
  buildLogUrl?: string;
  /** What Cloud Build says about the running build (e.g. that it is simulated locally). */
  buildNote?: string;
  /** sha256 digest of the pushed image; set once pushed, so a retry does not rebuild. */
  imageDigest?: string;
  /**
   * When App Engine was asked to create the version (set before the call): on resume
   * without a deployOperation, the create operation started since then is adopted.
   */
  deployRequestedAt?: Date;
  deployOperation?: string;
  promoteOperation?: string;
  versionUrl?: string;
  /** App Engine console page of the version. */
  consoleUrl?: string;
  failure?: PipelineFailure;
  /** The live checklist message in the submission's thread. */
  statusMessage?: { channel: string; ts: string };
  /** Milestones already posted, by attempt, so a resumed pipeline posts nothing twice. */
  announced: Partial<Record<Milestone, number>>;
  /** The run's turn on its project's service (service-turn.ts); taken before any other step. */
  turn?: ServiceTurn;
  /** Cloud Build's timeout for the build, as the build request set it: the build's deadline. */
  buildTimeoutSeconds?: number;
  /** When the run was last stored (the store's clock): the watchdog's sweep reads it. */
  progressAt?: Date;
  /** Lifecycle (optional, version-lifecycle.ts): old versions cleaned up once this one took all traffic. */
  housekeeping?: Housekeeping;
  /** Lifecycle: room made under App Engine's version limit before the create. */
  versionRoom?: VersionRoom;
  /** Lifecycle: a cancel during deploy removes the version App Engine was creating. */
  removal?: VersionRemoval;
  /** The acceptance test's checks, once the build's `test` step has told them (results.ts). */
  checks?: CheckResult[];
  /** What the live check of `versionUrl` found, once it ran (the `verify` step). */
  liveCheck?: LiveCheck;
}

/**
 * One pipeline per (target project, service) at a time: waiting for the submission whose
 * pipeline goes first, or holding the service (with whom it waited for, when it had to).
 */
export type ServiceTurn =
  | { state: 'waiting'; for: string; since: Date }
  | { state: 'holding'; since: Date; waited?: { for: string; since: Date } };

export function freshSteps(): Record<StepName, StepProgress> {
  return Object.fromEntries(CHECKLIST.map((step) => [step, { state: 'pending' }])) as Record<
    StepName,
    StepProgress
  >;
}

/** Milliseconds a step took (or has taken so far), when it started. */
export function stepDuration(step: StepProgress, now: Date): number | undefined {
  if (!step.startedAt) return undefined;
  return (step.endedAt ?? now).getTime() - step.startedAt.getTime();
}

/** https://console.cloud.google.com page of an App Engine version. */
export function versionConsoleUrl(project: string, service: string, versionId: string): string {
  return versionsConsoleUrl(project, { serviceId: service, versionId });
}

/** The console's App Engine versions page of `project`, narrowed to one version if given. */
export function versionsConsoleUrl(
  project: string,
  version?: { serviceId: string; versionId: string },
): string {
  const params = new URLSearchParams({ project, ...version });
  return `https://console.cloud.google.com/appengine/versions?${params}`;
}
