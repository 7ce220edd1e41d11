// Which pipeline steps when, on this instance: its heartbeat (renewed on its own clock,
// ended at shutdown), pipelines claimed for it, discovery of pipelines nobody drives (new,
// released, a dead instance's), polling with a backoff per pipeline and one call budget
// for all, one change at a time per pipeline, and shutdown.
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
  /** This instance's name: on its heartbeat and on the pipelines it drives. */
  owner: string;
  logger: Logger;
  /** How long a heartbeat keeps this instance's pipelines; renewed every third of it. */
  leaseMs: number;
  tickMs: number;
  /** How often to look for pipelines nobody tracks (new ones, a dead instance's). */
  discoverMs: number;
  /** Upper bound on Cloud Build + App Engine calls per minute for this instance. */
  callsPerMinute: number;
  backoff: Backoff;
  /** One step of a pipeline this instance holds, under its lock. */
  step(id: string, log: Logger): Promise<StepOutcome>;
  /** An approved submission found without a run: the instance that approved it died first. */
  start(submission: Submission): Promise<void>;
}

interface Held {
  nextPollAt: number;
  delayMs?: number;
  /** Waiting for its service's turn: asking again calls no outside service, so costs no budget. */
  waiting?: boolean;
}

/** Submissions read per discovery query. */
const DISCOVERY_PAGE = 200;

/** Instances named in one discovery query (Firestore's bound on an `in` filter). */
const OWNERS_PER_QUERY = 30;

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
  #beatTimer: NodeJS.Timeout | undefined;
  #beating: Promise<void> | undefined;
  /** When our heartbeat ends, by this process's clock (taken before asking to renew it). */
  #aliveUntil = 0;
  /**
   * The next discovery also reads the pipelines that name this instance: at the start (a
   * restart under the same name), after its heartbeat lapsed and after a lost lease (their
   * claims were dropped).
   */
  #adopt = true;
  /** Stopped: nothing is claimed (a claim would start the ended heartbeat again). */
  #stopped = false;

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
    this.#stopped = false;
    this.#timer = setInterval(() => {
      if (!this.#ticking) this.#ticking = this.#tick().finally(() => (this.#ticking = undefined));
    }, this.#o.tickMs);
    // The heartbeat is renewed on its own clock: a slow round of steps must not let it lapse.
    this.#beatTimer = setInterval(() => {
      if (!this.#beating) void this.#beat().catch(() => {});
    }, this.#o.leaseMs / 3);
  }

  /**
   * Stops polling, lets steps in flight finish, and ends the heartbeat so another instance
   * takes this one's pipelines over at once. `release: false` leaves the heartbeat to
   * lapse, as a crashed instance would (failover drills).
   */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    clearInterval(this.#timer);
    clearInterval(this.#beatTimer);
    this.#timer = undefined;
    this.#stopped = true;
    await this.#ticking;
    await this.#beating?.catch(() => {});
    if (options.release !== false) {
      await this.#o.store
        .endBeat(this.#o.owner)
        .catch((error: unknown) => this.#o.logger.warn({ err: error }, 'could not end heartbeat'));
    }
    this.#held.clear();
  }

  /**
   * Claims the pipeline and writes its new run, then steps it. A first run is written
   * only if none exists yet (another instance may have started it meanwhile); throws a
   * `conflict` StoreError when another live instance holds it.
   */
  async take(id: string, run: PipelineRun, change?: Parameters<PipelineStore['saveRun']>[3]) {
    // After any step of this pipeline still running here (e.g. the one announcing a failure).
    await this.#lock.run(id, async () => {
      if (!(await this.#claim(id))) {
        throw new StoreError('conflict', `${id} is being handled by another bot instance`);
      }
      const first = run.attempt === 1 && !change;
      if (!(first && (await this.#o.store.get(id))?.pipeline)) {
        await this.#o.store.saveRun(id, this.#o.owner, run, change);
      }
    });
    await this.#stepSafely(id);
  }

  /** Steps the pipeline now (e.g. it was just cancelled), when it can be claimed. */
  async stepNow(id: string): Promise<void> {
    if (await this.#claim(id)) await this.#stepSafely(id);
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

  /**
   * Reads only what may need this instance: pipelines nobody drives, and those of
   * instances whose heartbeat lapsed (the instances collection is small). A lapsed
   * instance that no pipeline names any more is forgotten.
   */
  async #discover(): Promise<void> {
    await this.#alive();
    const { owner } = this.#o;
    const lapsed = (await this.#o.store.lapsedInstances()).filter((o) => o !== owner);
    const adopt = this.#adopt;
    const named = new Set<string>();
    // Named instances first: what this pass claims from nobody then names this instance,
    // and reading it back at once would read every pipeline just taken.
    const owners = adopt ? [...lapsed, owner] : lapsed;
    for (let i = 0; i < owners.length; i += OWNERS_PER_QUERY) {
      await this.#discoverOwnedBy(owners.slice(i, i + OWNERS_PER_QUERY), named);
    }
    if (adopt) this.#adopt = false;
    await this.#discoverOwnedBy(null, named);
    for (const gone of lapsed) if (!named.has(gone)) await this.#o.store.forgetInstance(gone);
  }

  /** Claims the pipelines `ownedBy` names (null: nobody), noting which owners were named. */
  async #discoverOwnedBy(ownedBy: null | string[], named: Set<string>): Promise<void> {
    let after: string | undefined;
    for (;;) {
      const page = await this.#o.store.inFlight({
        limit: DISCOVERY_PAGE,
        ownedBy,
        ...(after ? { after } : {}),
      });
      // A few claims at once: a dead instance may leave thousands.
      await eachLimited(page, STEP_CONCURRENCY, async ({ submission, owner }) => {
        if (owner) named.add(owner);
        if (this.#held.has(submission.id)) return;
        if (!submission.pipeline) {
          if (submission.status === 'approved') await this.#o.start(submission);
          return;
        }
        if (await this.#claim(submission.id)) {
          this.#o.logger.info({ submissionId: submission.id }, 'tracking pipeline');
        }
      });
      if (page.length < DISCOVERY_PAGE) return;
      after = page.at(-1)?.submission.id;
    }
  }

  /** Renews the heartbeat (one at a time); a renewal after a lapse drops every claim. */
  #beat(): Promise<void> {
    this.#beating ??= this.#beatNow().finally(() => (this.#beating = undefined));
    return this.#beating;
  }

  async #beatNow(): Promise<void> {
    const asked = Date.now();
    try {
      await this.#o.store.beat(this.#o.owner, this.#o.leaseMs);
    } catch (error) {
      this.#o.logger.warn({ err: error }, 'could not renew heartbeat');
      throw error;
    }
    // Lapsed meanwhile, by our clock: another instance may have taken any of them. The
    // next discovery reads back those that still name this instance.
    if (asked >= this.#aliveUntil) {
      for (const id of this.held) this.#drop(id, 'heartbeat lapsed');
      this.#adopt = true;
    }
    this.#aliveUntil = asked + this.#o.leaseMs;
  }

  /** Makes sure the heartbeat is live (claims need it): renews it now when due. */
  async #alive(): Promise<void> {
    if (this.#aliveUntil - Date.now() < (this.#o.leaseMs * 2) / 3) await this.#beat();
  }

  /** Claims the pipeline for this instance; false when another live instance holds it. */
  async #claim(id: string): Promise<boolean> {
    if (this.#stopped) return false;
    await this.#alive();
    if (!(await this.#o.store.claim(id, this.#o.owner))) return false;
    if (!this.#held.has(id)) this.#held.set(id, { nextPollAt: 0 });
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
    // Calls to Cloud Build or App Engine are made only with time left on the heartbeat, so
    // a slow instance never acts on a pipeline another one may already have taken over.
    if (this.#aliveUntil - Date.now() < this.#o.leaseMs / 3) return;
    this.#busy.add(id);
    const log = this.#o.logger.child({ submissionId: id });
    let outcome: StepOutcome = 'unchanged';
    try {
      outcome = await this.#lock.run(id, async () => {
        const done = await this.#o.step(id, log);
        // Let go while still holding the lock: a retry waiting on it then claims afresh.
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
        // Refused though the store may still name this instance (its heartbeat looked
        // lapsed to that one write): the next discovery reads back what names it.
        this.#adopt = true;
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
