import { randomUUID } from 'node:crypto';
import { firstRun, retryRun } from '../domain/run-transitions.ts';
import { DEFAULT_DEADLINES, type DeadlineTuning } from '../domain/step-deadlines.ts';
import type { Actor, Submission } from '../domain/submission.ts';
import type { Logger } from '../log.ts';
import type { BuildPort } from '../ports/build.ts';
import type { BuildLogPort } from '../ports/build-logs.ts';
import type { DeployPort } from '../ports/deploy.ts';
import type { LiveCheckPort } from '../ports/live-check.ts';
import type { OperationStore } from '../ports/operations.ts';
import type { Pipeline } from '../ports/pipeline.ts';
import type { ServiceStore } from '../ports/services.ts';
import { isStoreError, type PipelineStore, type SubmissionStore } from '../ports/store.ts';
import { type Backoff, DEFAULT_BACKOFF } from './poll-budget.ts';
import { Scheduler } from './scheduler.ts';
import { ROLLBACK_DEADLINE_MS } from './steps/operation.ts';
import { runStep } from './steps/run-step.ts';
import { Sweep } from './sweep.ts';

export interface TrackerOptions {
  store: SubmissionStore & PipelineStore & OperationStore & Pick<ServiceStore, 'serviceRecords'>;
  builds: BuildPort;
  deploys: DeployPort;
  /** Where a failed step's last log lines are read from; without it failures show none. */
  buildLogs?: BuildLogPort;
  /** Calls a deployed version's URL before "is live"; without it the `verify` step is skipped. */
  liveCheck?: LiveCheckPort;
  /** Where wrapped images are pushed (PLAYGROUND_REGISTRY). */
  registry: string;
  logger: Logger;
  /** This instance's name on its heartbeat and its pipelines; a random one by default. */
  owner?: string;
  /** How long this instance's heartbeat keeps its pipelines (renewed every third of it). */
  leaseMs?: number;
  tickMs?: number;
  /** How often to look for pipelines nobody tracks (new ones, a dead instance's). */
  discoverMs?: number;
  /** Upper bound on Cloud Build + App Engine calls per minute for this instance. */
  callsPerMinute?: number;
  backoff?: Backoff;
  /** Step deadlines and when no progress is a stall (PLAYGROUND_*_DEADLINE, PLAYGROUND_STALL_AFTER). */
  deadlines?: Partial<DeadlineTuning>;
  /** How often the watchdog looks for pipelines without progress (sweep.ts). */
  sweepMs?: number;
  /** Previous versions of a service left serving once a new one took all traffic. */
  keepRunningVersions?: number;
  /** Previous versions of a service kept at all (serving or stopped); older ones are deleted. */
  keepVersions?: number;
  /** How long a version that took all traffic must stay healthy before old ones are cleaned up. */
  lifecycleGraceMs?: number;
  /** How long a promote or rollback may take, start of a stopped target included (ms). */
  rollbackDeadlineMs?: number;
}

/** Production tuning; tests and the local workspace override some of it. */
export const TRACKER_DEFAULTS = {
  leaseMs: 30_000,
  tickMs: 500,
  discoverMs: 5_000,
  callsPerMinute: 120,
  backoff: DEFAULT_BACKOFF,
  deadlines: DEFAULT_DEADLINES,
  sweepMs: 60_000,
  keepRunningVersions: 1,
  keepVersions: 5,
  lifecycleGraceMs: 10 * 60_000,
  rollbackDeadlineMs: ROLLBACK_DEADLINE_MS,
} as const;

/**
 * The pipeline behind the Pipeline port: drives every pipeline this instance holds while
 * its heartbeat is live (scheduler.ts), one small step at a time (steps/), each step making at most
 * one call to Cloud Build or App Engine and storing what it learned before anything else.
 */
export class Tracker implements Pipeline {
  readonly owner: string;
  readonly #scheduler: Scheduler;
  readonly #sweep: Sweep;
  readonly #registry: string;
  readonly #logger: Logger;

  constructor(options: TrackerOptions) {
    const { store, builds, deploys, buildLogs, liveCheck, logger } = options;
    this.owner = options.owner ?? `bot-${randomUUID().slice(0, 8)}`;
    this.#registry = options.registry;
    this.#logger = logger;
    // What every step works with; each step adds a logger carrying its submission id.
    const deadlines = { ...TRACKER_DEFAULTS.deadlines, ...options.deadlines };
    const tuned = { ...TRACKER_DEFAULTS, ...options };
    const { leaseMs, tickMs, discoverMs, callsPerMinute, backoff } = tuned;
    const lifecycle = {
      keepRunning: tuned.keepRunningVersions,
      keepVersions: tuned.keepVersions,
      graceMs: tuned.lifecycleGraceMs,
    };
    const context = {
      store,
      builds,
      deploys,
      owner: this.owner,
      ...(buildLogs ? { buildLogs } : {}),
      deadlines,
      lifecycle,
      rollbackDeadlineMs: tuned.rollbackDeadlineMs,
      ...(liveCheck ? { liveCheck } : {}),
    };
    this.#scheduler = new Scheduler({
      store,
      owner: this.owner,
      logger,
      leaseMs,
      tickMs,
      discoverMs,
      callsPerMinute,
      backoff,
      step: (id, log) => runStep({ ...context, log }, id),
      start: (submission) => this.start(submission),
    });
    this.#sweep = new Sweep({
      store,
      logger,
      deadlines,
      everyMs: options.sweepMs ?? TRACKER_DEFAULTS.sweepMs,
    });
  }

  /** Pipelines this instance drives now. */
  get held(): string[] {
    return this.#scheduler.held;
  }

  async start(submission: Submission): Promise<void> {
    const run = firstRun(submission, this.#registry);
    try {
      await this.#scheduler.take(submission.id, run);
    } catch (error) {
      // Another instance found the approved submission first and is starting it.
      if (!isStoreError(error, 'conflict')) throw error;
      this.#logger.info({ submissionId: submission.id }, 'pipeline started by another instance');
    }
  }

  async retry(submission: Submission, actor: Actor): Promise<void> {
    const previous = submission.pipeline;
    if (!previous) throw new Error(`${submission.id} has never been deployed`);
    const { run, action } = retryRun(previous);
    await this.#scheduler.take(submission.id, run, {
      action,
      actor,
      detail: `retry, attempt ${run.attempt}`,
    });
  }

  async cancel(submission: Submission): Promise<void> {
    await this.#scheduler.stepNow(submission.id);
  }

  /** A promote or rollback was just stored on the submission: its first call now. */
  async operate(submission: Submission): Promise<void> {
    await this.#scheduler.stepNow(submission.id);
  }

  /** Starts tracking: finds in-flight pipelines (resuming after a restart) and polls them. */
  run(): void {
    this.#scheduler.run();
    this.#sweep.run();
  }

  /**
   * Stops polling, lets steps in flight finish, and ends the heartbeat so another
   * instance takes over at once. `release: false` leaves the heartbeat to lapse, as a
   * crashed instance would (failover drills).
   */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    await this.#sweep.stop();
    await this.#scheduler.stop(options);
  }
}
