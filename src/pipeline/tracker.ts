import { randomUUID } from 'node:crypto';
import { firstRun, retryRun } from '../domain/run-transitions.ts';
import type { Actor, Submission } from '../domain/submission.ts';
import type { Logger } from '../log.ts';
import type { BuildPort } from '../ports/build.ts';
import type { BuildLogPort } from '../ports/build-logs.ts';
import type { DeployPort } from '../ports/deploy.ts';
import type { LiveCheckPort } from '../ports/live-check.ts';
import type { Pipeline } from '../ports/pipeline.ts';
import { isStoreError, type PipelineStore, type SubmissionStore } from '../ports/store.ts';
import { type Backoff, DEFAULT_BACKOFF } from './poll-budget.ts';
import { Scheduler } from './scheduler.ts';
import { runStep } from './steps/run-step.ts';

export interface TrackerOptions {
  store: SubmissionStore & PipelineStore;
  builds: BuildPort;
  deploys: DeployPort;
  /** Where a failed step's last log lines are read from; without it failures show none. */
  buildLogs?: BuildLogPort;
  /** Calls a deployed version's URL before "is live"; without it the `verify` step is skipped. */
  liveCheck?: LiveCheckPort;
  /** Where wrapped images are pushed (PLAYGROUND_REGISTRY). */
  registry: string;
  logger: Logger;
  /** This instance's name on leases; a random one by default. */
  owner?: string;
  leaseMs?: number;
  tickMs?: number;
  /** How often to look for pipelines nobody tracks (new ones, a dead instance's). */
  discoverMs?: number;
  /** Upper bound on Cloud Build + App Engine calls per minute for this instance. */
  callsPerMinute?: number;
  backoff?: Backoff;
}

/** Production tuning; tests and the local workspace override some of it. */
export const TRACKER_DEFAULTS = {
  leaseMs: 30_000,
  tickMs: 500,
  discoverMs: 5_000,
  callsPerMinute: 120,
  backoff: DEFAULT_BACKOFF,
} as const;

/**
 * The pipeline behind the Pipeline port: drives every pipeline this instance holds a
 * lease on (scheduler.ts), one small step at a time (steps/), each step making at most
 * one call to Cloud Build or App Engine and storing what it learned before anything else.
 */
export class Tracker implements Pipeline {
  readonly owner: string;
  readonly #scheduler: Scheduler;
  readonly #registry: string;
  readonly #logger: Logger;

  constructor(options: TrackerOptions) {
    const { store, builds, deploys, buildLogs, liveCheck, logger } = options;
    this.owner = options.owner ?? `bot-${randomUUID().slice(0, 8)}`;
    this.#registry = options.registry;
    this.#logger = logger;
    // What every step works with; each step adds a logger carrying its submission id.
    const context = {
      store,
      builds,
      deploys,
      owner: this.owner,
      ...(buildLogs ? { buildLogs } : {}),
      ...(liveCheck ? { liveCheck } : {}),
    };
    const { leaseMs, tickMs, discoverMs, callsPerMinute, backoff } = {
      ...TRACKER_DEFAULTS,
      ...options,
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

  /** Starts tracking: finds in-flight pipelines (resuming after a restart) and polls them. */
  run(): void {
    this.#scheduler.run();
  }

  /**
   * Stops polling, lets steps in flight finish, and gives every lease back so another
   * instance takes over at once. `release: false` leaves the leases to expire, as a
   * crashed instance would (failover drills).
   */
  stop(options: { release?: boolean } = {}): Promise<void> {
    return this.#scheduler.stop(options);
  }
}
