// Delivers what submissions owe in Slack (their outboxes, written with each change): on
// every instance, one submission at a time per lease, in order, each message once.
//
// - Leases: a submission's outbox is delivered by the instance holding its outbox lease
//   (owner + expiry, renewed while it delivers), as pipelines are driven; a dead
//   instance's leases expire and another takes over.
// - Once: before a post the attempt is counted in the store; a later attempt (after a
//   crash, a timeout, a lost answer) first looks the message up by its key in the message
//   metadata and adopts it instead of posting again. Updates are safe to repeat.
// - Retries: failures that may pass (rate limits, Slack's internal errors, network errors,
//   timeouts) are tried again with a backoff, never before Retry-After; errors no retry
//   fixes are recorded on the entry with advice, logged, and shown to approvers.
// - Order: a submission's messages go out in the order they were owed; a message waiting
//   for its retry holds back the ones after it.
import { withDeadline } from '../lib/deadline.ts';
import type { Logger } from '../log.ts';
import {
  isStoreError,
  type MessageRef,
  type OutboxEntry,
  type OutboxStore,
} from '../ports/store.ts';
import { type Prepared, type SlackMessages, Unsayable } from './announce.ts';
import { adviceFor, classify } from './slack-errors.ts';

export interface DelivererOptions {
  store: OutboxStore;
  messages: SlackMessages;
  /** This instance's name on leases. */
  owner: string;
  logger: Logger;
  leaseMs?: number;
  /** How often to look for outboxes nobody delivers (another instance's, a dead one's). */
  discoverMs?: number;
  /** Submissions delivered at the same time. */
  concurrency?: number;
  /** Longest wait for one Slack call; past it the attempt counts as failed (and may have posted). */
  callTimeoutMs?: number;
  /** Least time between two updates of the status message (Slack's ~1 per second). */
  updateIntervalMs?: number;
  /** First retry delay, doubled per failure up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

const DELIVERER_DEFAULTS = {
  leaseMs: 30_000,
  discoverMs: 5_000,
  concurrency: 8,
  callTimeoutMs: 10_000,
  updateIntervalMs: 1_000,
  backoffMs: 1_000,
  maxBackoffMs: 60_000,
} as const;

/** Submissions read per discovery query. */
const DISCOVERY_PAGE = 200;

/** What to do with a submission's outbox after one look. */
type Next = { again: true } | { again: false; wakeAt?: number };

export class Deliverer {
  readonly #o: Required<DelivererOptions>;
  /** Submissions to look at, and those being delivered now. */
  readonly #queue = new Set<string>();
  readonly #busy = new Map<string, Promise<void>>();
  /** Wake-ups for messages waiting for their retry or the update window. */
  readonly #timers = new Map<string, NodeJS.Timeout>();
  #discovery: NodeJS.Timeout | undefined;
  #discovering: Promise<void> | undefined;
  #running = false;
  /** Whether lanes give their leases back when they stop (not after `stop({ release: false })`). */
  #release = true;

  constructor(options: DelivererOptions) {
    this.#o = { ...DELIVERER_DEFAULTS, ...options };
    options.store.onEnqueued((id) => this.nudge(id));
  }

  /** Starts delivering: what is pending now, what this process enqueues, what others leave. */
  run(): void {
    if (this.#running) return;
    this.#running = true;
    const discover = () => {
      this.#discovering ??= this.#discover().finally(() => (this.#discovering = undefined));
    };
    this.#discovery = setInterval(discover, this.#o.discoverMs);
    discover();
  }

  /** Delivers the submission's pending messages soon (it was just written to). */
  nudge(id: string): void {
    if (!this.#running) return;
    this.#queue.add(id);
    this.#pump();
  }

  /** Resolves when nothing is being delivered now (messages may still wait for a retry). */
  async idle(): Promise<void> {
    while (this.#busy.size > 0 || this.#discovering) {
      await Promise.all([...this.#busy.values(), this.#discovering]);
    }
  }

  /**
   * Stops taking work, waits for sends in flight, gives the leases back (unless
   * `release: false`, as a crash would leave them).
   */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    this.#running = false;
    clearInterval(this.#discovery);
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#queue.clear();
    this.#release = options.release !== false;
    await this.idle();
  }

  #pump(): void {
    for (const id of this.#queue) {
      if (this.#busy.size >= this.#o.concurrency) return;
      if (this.#busy.has(id)) continue;
      this.#queue.delete(id);
      const lane = this.#lane(id).finally(() => {
        this.#busy.delete(id);
        this.#pump();
      });
      this.#busy.set(id, lane);
    }
  }

  #wakeAt(id: string, at: number): void {
    clearTimeout(this.#timers.get(id));
    const timer = setTimeout(
      () => {
        this.#timers.delete(id);
        this.nudge(id);
      },
      Math.max(0, at - Date.now()),
    );
    timer.unref?.();
    this.#timers.set(id, timer);
  }

  async #discover(): Promise<void> {
    try {
      let after: string | undefined;
      for (;;) {
        const page = await this.#o.store.undelivered({
          limit: DISCOVERY_PAGE,
          ...(after ? { after } : {}),
        });
        const now = new Date();
        for (const { submissionId, lease } of page) {
          // Another live instance delivers it.
          if (lease && lease.owner !== this.#o.owner && lease.until > now) continue;
          if (!this.#timers.has(submissionId)) this.nudge(submissionId);
        }
        if (page.length < DISCOVERY_PAGE) return;
        after = page.at(-1)?.submissionId;
      }
    } catch (error) {
      this.#o.logger.warn({ err: error }, 'could not look for messages to deliver');
    }
  }

  /** Delivers one submission's pending messages in order while this instance holds its lease. */
  async #lane(id: string): Promise<void> {
    const log = this.#o.logger.child({ submissionId: id });
    const { store, owner, leaseMs } = this.#o;
    let leaseUntil = 0;
    try {
      for (;;) {
        if (!this.#running) break;
        // Renewed well before it ends: a slow Slack call must not let another instance in.
        if (leaseUntil - Date.now() < leaseMs / 2) {
          const asked = Date.now();
          if (!(await store.leaseOutbox(id, owner, leaseMs))) return;
          leaseUntil = asked + leaseMs;
        }
        const next = await this.#deliverNext(id, log);
        if (next.again) continue;
        if (next.wakeAt !== undefined) this.#wakeAt(id, next.wakeAt);
        break;
      }
    } catch (error) {
      if (isStoreError(error, 'conflict')) {
        log.info('another instance delivers these messages now');
        return;
      }
      log.warn({ err: error }, 'message delivery stopped; will try again');
      this.#wakeAt(id, Date.now() + this.#o.backoffMs);
    }
    if (leaseUntil > 0 && this.#release) {
      await store.releaseOutbox(id, owner).catch((error: unknown) => {
        log.warn({ err: error }, 'could not give the outbox lease back');
      });
    }
  }

  /** Sends the first pending message, if it is due. */
  async #deliverNext(id: string, log: Logger): Promise<Next> {
    const box = await this.#o.store.outbox(id);
    const entry = box?.entries.find((e) => e.state === 'pending');
    if (!box || !entry) return { again: false };
    const dueAt = this.#dueAt(entry);
    if (dueAt > Date.now()) return { again: false, wakeAt: dueAt };
    const { submission } = box;
    const { store, owner, messages } = this.#o;
    const about = { key: entry.key, kind: entry.intent.kind, tries: entry.tries };
    try {
      const prepared = await this.#call(messages.prepare(submission, entry));
      const posts = messages.posts(prepared);
      // An earlier attempt may have posted without our hearing the answer.
      const found = posts && entry.tries > 0 ? await this.#lookUp(prepared, log) : undefined;
      if (found) log.info({ ...about, ts: found.ts }, 'message found posted; not posting again');
      else if (posts) await store.recordDelivery(id, owner, entry.key, { kind: 'trying' });
      const ref = found ?? (await this.#call(messages.say(prepared)));
      await store.recordDelivery(id, owner, entry.key, {
        kind: 'sent',
        version: entry.version,
        ...(ref ? { ref } : {}),
      });
      log.debug({ ...about, ...(ref ? { ts: ref.ts } : {}) }, 'message delivered');
      return { again: true };
    } catch (error) {
      if (isStoreError(error)) throw error;
      return this.#failed(id, entry, error, log);
    }
  }

  /**
   * Looks for an earlier post of the entry. When Slack cannot be asked for good (e.g. the
   * app lacks the history scopes), the message is posted anyway: once too often beats
   * never. A failure that may pass is thrown, to look again later.
   */
  async #lookUp(prepared: Prepared, log: Logger): Promise<MessageRef | undefined> {
    try {
      return await this.#call(this.#o.messages.find(prepared));
    } catch (error) {
      const info = classify(error);
      if (info.transient) throw error;
      log.warn(
        {
          err: error,
          key: prepared.entry.key,
          reason: info.reason,
          advice: adviceFor(info.reason),
        },
        'could not look for an earlier post of this message; posting it (it may show twice)',
      );
      return undefined;
    }
  }

  /** When the entry may be tried: its retry time, and for the status message the window. */
  #dueAt(entry: OutboxEntry): number {
    const retryAt = entry.notBefore?.getTime() ?? 0;
    const windowAt =
      entry.intent.kind === 'status' && entry.sentAt
        ? entry.sentAt.getTime() + this.#o.updateIntervalMs
        : 0;
    return Math.max(retryAt, windowAt);
  }

  async #failed(id: string, entry: OutboxEntry, error: unknown, log: Logger): Promise<Next> {
    const { store, owner } = this.#o;
    const info =
      error instanceof Unsayable ? { transient: false, reason: error.reason } : classify(error);
    const about = { err: error, key: entry.key, kind: entry.intent.kind, reason: info.reason };
    if (!info.transient) {
      const advice = adviceFor(info.reason);
      await store.recordDelivery(id, owner, entry.key, {
        kind: 'failed',
        error: info.reason,
        advice,
      });
      log.error({ ...about, advice }, `message not delivered: ${info.reason}; ${advice}`);
      return { again: true };
    }
    const backoff = Math.min(
      this.#o.maxBackoffMs,
      this.#o.backoffMs * 2 ** Math.min(entry.failures, 16),
    );
    // Slack's Retry-After says when; otherwise the backoff guesses. A call that timed out
    // may still land: its retry waits long enough for the look-up to find it.
    const wait =
      info.retryAfterSec !== undefined
        ? info.retryAfterSec * 1000
        : error instanceof CallTimeout
          ? Math.max(backoff, 2 * this.#o.callTimeoutMs)
          : backoff;
    const notBefore = new Date(Date.now() + wait);
    await store.recordDelivery(id, owner, entry.key, {
      kind: 'retry',
      notBefore,
      error: info.reason,
    });
    log.warn({ ...about, retryInMs: wait }, 'message not delivered yet; will try again');
    return { again: false, wakeAt: notBefore.getTime() };
  }

  /** A Slack call with a deadline: past it the attempt failed (the call may still land). */
  #call<T>(work: Promise<T>): Promise<T> {
    const ms = this.#o.callTimeoutMs;
    return withDeadline(work, ms, () => new CallTimeout(ms));
  }
}

/** A Slack call that did not answer in time (it may still be carried out). */
class CallTimeout extends Error {
  readonly code = 'call_timeout';
  constructor(ms: number) {
    super(`no answer from Slack within ${ms} ms`);
    this.name = 'CallTimeout';
  }
}
