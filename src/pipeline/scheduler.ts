// Which pipeline steps when, on this instance: leases (taken, renewed on their own clock,
// given back), discovery of pipelines nobody drives, polling with a backoff per pipeline
// and one call budget for all, one change at a time per pipeline, and shutdown.
import type { PipelineRun } from '../domain/pipeline-run.ts';
import type { Submission } from '../domain/submission.ts';
import { KeyedLock } from '../lib/keyed-lock.ts';
import type { Logger } from '../log.ts';
import {
  isStoreError,
  type PipelineStore,
  StoreError,
  type SubmissionStore,
} from '../ports/store.ts';
import { type Backoff, nextDelay, PollBudget } from './poll-budget.ts';
import type { StepOutcome } from './steps/context.ts';

export interface SchedulerOptions {
  store: SubmissionStore & PipelineStore;
  /** This instance's name on leases. */
  owner: string;
  logger: Logger;
  leaseMs: number;
  tickMs: number;
  /** How often to look for pipelines nobody tracks (new ones, a dead instance's). */
  discoverMs: number;
  /** Upper bound on Cloud Build + App Engine calls per minute for this instance. */
  callsPerMinute: number;
  backoff: Backoff;
  /** One step of a pipeline whose lease this instance holds, under its lock. */
  step(id: string, log: Logger): Promise<StepOutcome>;
  /** An approved submission found without a run: the instance that approved it died first. */
  start(submission: Submission): Promise<void>;
}

interface Held {
  nextPollAt: number;
  delayMs?: number;
  /** When our lease ends, by this process's clock (taken before asking for it). */
  leaseUntil: number;
  /** Waiting for its service's turn: asking again calls no outside service, so costs no budget. */
  waiting?: boolean;
}

/** Submissions read per discovery query. */
const DISCOVERY_PAGE = 200;

/** Pipelines stepped at the same time by one instance. */
const STEP_CONCURRENCY = 8;

export class Scheduler {
  readonly #o: SchedulerOptions;
  readonly #held = new Map<string, Held>();
  /** Pipelines with a step running now: the tick skips them rather than queue. */
  readonly #busy = new Set<string>();
  /** One change at a time per pipeline in this process: steps, starts, retries. */
  readonly #lock = new KeyedLock();
  readonly #budget: PollBudget;
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;
  #lastDiscovery = 0;
  #renewTimer: NodeJS.Timeout | undefined;
  #renewing: Promise<void> | undefined;

  constructor(options: SchedulerOptions) {
    this.#o = options;
    this.#budget = new PollBudget(options.callsPerMinute);
  }

  /** Pipelines this instance drives now. */
  get held(): string[] {
    return [...this.#held.keys()];
  }

  /** Starts tracking: finds in-flight pipelines (resuming after a restart) and polls them. */
  run(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      if (!this.#ticking) this.#ticking = this.#tick().finally(() => (this.#ticking = undefined));
    }, this.#o.tickMs);
    // Leases are renewed on their own clock: a slow round of steps must not let them lapse.
    this.#renewTimer = setInterval(() => {
      if (this.#renewing) return;
      this.#renewing = this.#renew()
        .catch((error: unknown) => this.#o.logger.warn({ err: error }, 'could not renew leases'))
        .finally(() => (this.#renewing = undefined));
    }, this.#o.leaseMs / 3);
  }

  /**
   * Stops polling, lets steps in flight finish, and gives every lease back so another
   * instance takes over at once. `release: false` leaves the leases to expire, as a
   * crashed instance would (failover drills).
   */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    clearInterval(this.#timer);
    clearInterval(this.#renewTimer);
    this.#timer = undefined;
    await this.#ticking;
    await this.#renewing;
    if (options.release !== false) {
      await Promise.allSettled(this.held.map((id) => this.#o.store.release(id, this.#o.owner)));
    }
    this.#held.clear();
  }

  /**
   * Leases the pipeline and writes its new run, then steps it. A first run is written
   * only if none exists yet (another instance may have started it meanwhile); throws a
   * `conflict` StoreError when another instance holds the lease.
   */
  async take(id: string, run: PipelineRun, change?: Parameters<PipelineStore['saveRun']>[3]) {
    // After any step of this pipeline still running here (e.g. the one announcing a failure).
    await this.#lock.run(id, async () => {
      if (!(await this.#lease(id))) {
        throw new StoreError('conflict', `${id} is being handled by another bot instance`);
      }
      const first = run.attempt === 1 && !change;
      if (!(first && (await this.#o.store.get(id))?.pipeline)) {
        await this.#o.store.saveRun(id, this.#o.owner, run, change);
      }
    });
    await this.#stepSafely(id);
  }

  /** Steps the pipeline now (e.g. it was just cancelled), when its lease can be had. */
  async stepNow(id: string): Promise<void> {
    if (await this.#lease(id)) await this.#stepSafely(id);
  }

  /** One round: discover when due, then step the pipelines that are due. */
  async #tick(now = Date.now()): Promise<void> {
    try {
      if (now - this.#lastDiscovery >= this.#o.discoverMs) {
        this.#lastDiscovery = now;
        await this.#discover();
      }
    } catch (error) {
      this.#o.logger.warn({ err: error }, 'could not look for pipelines to track');
    }
    const due = [...this.#held.entries()]
      .filter(([, h]) => h.nextPollAt <= now)
      .sort((a, b) => a[1].nextPollAt - b[1].nextPollAt)
      .map(([id]) => id);
    // A few pipelines step at once: each step mostly waits on Firestore and the APIs.
    let budgetLeft = true;
    await eachLimited(due, STEP_CONCURRENCY, async (id) => {
      const free = this.#held.get(id)?.waiting === true;
      if (!free) budgetLeft &&= this.#budget.take();
      if (free || budgetLeft) await this.#stepSafely(id);
    });
  }

  async #discover(): Promise<void> {
    let after: string | undefined;
    for (;;) {
      const page = await this.#o.store.inFlight({
        limit: DISCOVERY_PAGE,
        ...(after ? { after } : {}),
      });
      const now = new Date();
      for (const { submission, lease } of page) {
        if (this.#held.has(submission.id)) continue;
        // Another live instance drives it: no need to ask the database.
        if (lease && lease.owner !== this.#o.owner && lease.until > now) continue;
        if (!submission.pipeline) {
          if (submission.status === 'approved') await this.#o.start(submission);
          continue;
        }
        if (await this.#lease(submission.id)) {
          this.#o.logger.info({ submissionId: submission.id }, 'tracking pipeline');
        }
      }
      if (page.length < DISCOVERY_PAGE) return;
      after = page.at(-1)?.submission.id;
    }
  }

  async #renew(): Promise<void> {
    await eachLimited(this.held, STEP_CONCURRENCY, async (id) => {
      if (!(await this.#lease(id))) this.#drop(id, 'lease lost');
    });
  }

  /**
   * Takes or renews the lease and notes, by our own clock, when it ends: the time is
   * read before asking, so the note is never later than the database's expiry.
   */
  async #lease(id: string): Promise<boolean> {
    const asked = Date.now();
    if (!(await this.#o.store.lease(id, this.#o.owner, this.#o.leaseMs))) return false;
    const held = this.#held.get(id);
    const leaseUntil = asked + this.#o.leaseMs;
    if (held) held.leaseUntil = leaseUntil;
    else this.#held.set(id, { nextPollAt: 0, leaseUntil });
    return true;
  }

  #drop(id: string, why: string) {
    this.#held.delete(id);
    this.#o.logger.info({ submissionId: id, why }, 'stopped tracking pipeline');
  }

  /**
   * A pipeline ended here: those waiting for their service's turn ask again at the next
   * tick rather than at the end of their backoff (one may be next). Waiting pipelines of
   * other instances ask on their own backoff.
   */
  #wakeWaiting() {
    for (const held of this.#held.values()) if (held.waiting) held.nextPollAt = 0;
  }

  /** One step, with its failures logged and turned into a later retry. */
  async #stepSafely(id: string): Promise<void> {
    const held = this.#held.get(id);
    if (!held || this.#busy.has(id)) return;
    // Calls to Cloud Build or App Engine are made only with time left on the lease, so a
    // slow instance never acts on a pipeline another one may already have taken over.
    if (held.leaseUntil - Date.now() < this.#o.leaseMs / 3) return;
    this.#busy.add(id);
    const log = this.#o.logger.child({ submissionId: id });
    let outcome: StepOutcome = 'unchanged';
    try {
      outcome = await this.#lock.run(id, async () => {
        const done = await this.#o.step(id, log);
        // Let go while still holding the lock: a retry waiting on it then leases afresh.
        if (done === 'ended') {
          this.#drop(id, 'pipeline ended');
          await this.#o.store.release(id, this.#o.owner);
          this.#wakeWaiting();
        }
        return done;
      });
    } catch (error) {
      if (isStoreError(error, 'conflict')) {
        this.#drop(id, 'lease lost');
        return;
      }
      log.warn({ err: error }, 'pipeline step failed; will try again');
    } finally {
      this.#busy.delete(id);
    }
    const current = this.#held.get(id);
    if (current) {
      current.waiting = outcome === 'waiting';
      current.delayMs = nextDelay(current.delayMs, outcome === 'changed', this.#o.backoff);
      current.nextPollAt = Date.now() + current.delayMs;
    }
  }
}

/** Runs `work` on every item, at most `limit` at a time. */
async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  const queue = [...items];
  const workers = Array.from({ length: Math.min(limit, queue.length) }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  });
  await Promise.all(workers);
}
