// Progress in Slack, behind the pipeline's Progress port (src/ports/progress.ts): the one
// status message per submission thread, updated in place at most once per `minIntervalMs`
// with the newest state, plus the milestone replies and the partner's DM. Slack errors are logged with the submission id; an update that fails stays
// pending for the next attempt and never throws into the tracker.
import type { webApi } from '@slack/bolt';
import type { PipelineRun } from '../domain/pipeline-run.ts';
import type { Actor, Submission } from '../domain/submission.ts';
import type { Logger } from '../log.ts';
import type { Progress } from '../ports/progress.ts';
import {
  type MilestoneKind,
  milestoneMessage,
  partnerOutcomeMessage,
  statusMessage,
} from './views/progress.ts';
import { reviewMessage } from './views/review-message.ts';

type WebClient = webApi.WebClient;

export interface MessageRef {
  channel: string;
  ts: string;
}

export interface ProgressReporterOptions {
  client: WebClient;
  logger: Logger;
  /** Least time between two updates of one message (1000: Slack's ~1 per second). */
  minIntervalMs?: number;
  /** Clock for the durations shown (running steps count up to it). */
  now?: () => Date;
}

export interface MilestoneResult {
  /** The thread reply, when it was posted. */
  posted?: MessageRef;
  /** Whether the partner's DM went out ('failed' and 'live' only; false otherwise). */
  partnerNotified: boolean;
}

/** The newest state waiting to be shown, numbered so order can be checked. */
interface Pending {
  seq: number;
  submission: Submission;
  run: PipelineRun;
}

/** Everything about one status message. */
interface Slot {
  key: string;
  target: MessageRef;
  submissionId: string;
  /** Number of the newest state handed to `update`. */
  seq: number;
  /** Number of the newest state Slack has shown. */
  sentSeq: number;
  pending?: Pending;
  inFlight: boolean;
  timer?: NodeJS.Timeout;
  /** Monotonic ms before which no update may start (window, Retry-After, backoff). */
  notBefore: number;
  /** Monotonic ms when the window alone allows the next update (what `flush` waits for). */
  windowAt: number;
  /** Monotonic ms before which Slack asked us not to call (Retry-After). */
  retryAfterAt: number;
  failures: number;
  /** Set after an error that retrying the same content cannot fix; cleared by `update`. */
  parked: boolean;
  waiters: { seq: number; resolve: () => void }[];
}

/** Slack answers that say "try again later" rather than "this can never work". */
const TRANSIENT_PLATFORM_ERRORS = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'team_added_to_org',
]);

/** Longest automatic backoff between two failed attempts at one message. */
const MAX_BACKOFF_MS = 60_000;

interface ErrorInfo {
  transient: boolean;
  /** Seconds Slack asked to wait, when it said. */
  retryAfterSec?: number;
  /** Slack's error string or the client's error code, for the log. */
  reason: string;
}

function classify(error: unknown): ErrorInfo {
  const e = error as {
    code?: string;
    retryAfter?: number;
    data?: { error?: string; response_metadata?: { retryAfter?: number } };
    message?: string;
  };
  switch (e?.code) {
    case 'slack_webapi_rate_limited_error':
      return {
        transient: true,
        reason: 'ratelimited',
        ...(typeof e.retryAfter === 'number' ? { retryAfterSec: e.retryAfter } : {}),
      };
    case 'slack_webapi_platform_error': {
      const reason = e.data?.error ?? 'unknown_error';
      const retryAfter = e.data?.response_metadata?.retryAfter;
      return {
        transient: TRANSIENT_PLATFORM_ERRORS.has(reason),
        reason,
        ...(typeof retryAfter === 'number' ? { retryAfterSec: retryAfter } : {}),
      };
    }
    default:
      // Network errors, HTTP 5xx, a 429 that outlived the client's own retries, timeouts.
      return { transient: true, reason: e?.code ?? e?.message ?? String(error) };
  }
}

function monotonic(): number {
  return performance.now();
}

/**
 * Posts and updates the pipeline's status message and milestone replies.
 *
 * Per status message: never two `chat.update` calls in flight, at most one started per
 * `minIntervalMs`, and only the newest state is ever sent (states that arrive while one
 * waits replace it), so the last state Slack shows is always the newest one. The
 * WebClient's own 429 handling (wait `Retry-After`, retry) happens inside one attempt;
 * if the attempt still fails, the state stays pending and is retried after the wait Slack
 * asked for (or a backoff), unless a newer state replaced it meanwhile.
 */
export class ProgressReporter implements Progress {
  readonly #client: WebClient;
  readonly #logger: Logger;
  readonly #minIntervalMs: number;
  readonly #now: () => Date;
  readonly #slots = new Map<string, Slot>();

  constructor(options: ProgressReporterOptions) {
    this.#client = options.client;
    this.#logger = options.logger;
    this.#minIntervalMs = Math.max(0, options.minIntervalMs ?? 1000);
    this.#now = options.now ?? (() => new Date());
  }

  /** Posts the status message as a reply in the submission's thread; throws if it cannot. */
  async postStatus(submission: Submission, run: PipelineRun): Promise<MessageRef> {
    const thread = submission.thread;
    if (!thread) throw new Error(`${submission.id} has no review thread to post progress in`);
    try {
      const result = await this.#client.chat.postMessage({
        channel: thread.channel,
        thread_ts: thread.ts,
        ...statusMessage(submission, run, this.#now()),
      });
      if (!result.ts) throw new Error('chat.postMessage answered without a ts');
      return { channel: result.channel ?? thread.channel, ts: result.ts };
    } catch (error) {
      this.#logger.error(
        { err: error, submissionId: submission.id, attempt: run.attempt },
        'could not post the pipeline status message',
      );
      throw error;
    }
  }

  /**
   * Schedules an in-place update of `run.statusMessage` with this state. Returns at once;
   * never throws (a run without a status message is logged and ignored).
   */
  update(submission: Submission, run: PipelineRun): void {
    const target = run.statusMessage;
    if (!target) {
      this.#logger.warn(
        { submissionId: submission.id, attempt: run.attempt },
        'pipeline status update without a status message; skipped',
      );
      return;
    }
    const slot = this.#slot(target, submission.id);
    slot.seq += 1;
    // A snapshot: the tracker may keep changing its objects; what was passed is what is shown.
    slot.pending = {
      seq: slot.seq,
      submission: structuredClone(submission),
      run: structuredClone(run),
    };
    slot.parked = false;
    if (!slot.inFlight && !slot.timer) this.#wake(slot);
  }

  /**
   * Resolves when every state handed to `update` so far has been sent, or its attempt
   * failed (logged; the state stays pending). Waits for the rate window, not for backoff.
   */
  async flush(): Promise<void> {
    await Promise.all([...this.#slots.values()].map((slot) => this.#flushSlot(slot)));
  }

  /** Like `flush`, for one status message. */
  async flushMessage(target: MessageRef): Promise<void> {
    const slot = this.#slots.get(keyOf(target));
    if (slot) await this.#flushSlot(slot);
  }

  /** States waiting to be sent (including one whose last attempt failed). */
  pendingCount(): number {
    let count = 0;
    for (const slot of this.#slots.values()) if (slot.pending || slot.inFlight) count += 1;
    return count;
  }

  /**
   * Posts a milestone reply in the thread (after the status message shows the latest
   * state) and, for 'failed' and 'live', DMs the partner. Throws only when the thread
   * reply could not be posted, so the caller may try the milestone again without
   * posting anything twice; a failed DM is logged and reported in the result. `by`
   * names who cancelled, for 'cancelled'.
   */
  async milestone(
    submission: Submission,
    run: PipelineRun,
    kind: MilestoneKind,
    options: { by?: Actor } = {},
  ): Promise<MilestoneResult> {
    if (run.statusMessage) await this.flushMessage(run.statusMessage);
    const result: MilestoneResult = { partnerNotified: false };
    const log = { submissionId: submission.id, attempt: run.attempt, milestone: kind };
    const thread = submission.thread;
    if (thread) {
      try {
        const posted = await this.#client.chat.postMessage({
          channel: thread.channel,
          thread_ts: thread.ts,
          ...milestoneMessage(submission, run, kind, options),
        });
        if (posted.ts) result.posted = { channel: posted.channel ?? thread.channel, ts: posted.ts };
      } catch (error) {
        this.#logger.error({ ...log, err: error }, 'could not post the pipeline milestone');
        throw error;
      }
    } else {
      this.#logger.warn(log, 'no review thread for the pipeline milestone; not posted');
    }
    if (kind === 'failed' || kind === 'live') {
      // The thread's root shows the submission's status: keep it true to the outcome.
      if (thread) {
        await this.#client.chat
          .update({ ...thread, ...reviewMessage(submission) })
          .catch((error: unknown) =>
            this.#logger.warn({ ...log, err: error }, 'could not update the review message'),
          );
      }
      try {
        await this.#client.chat.postMessage({
          channel: submission.partner.userId,
          ...partnerOutcomeMessage(submission, run, kind),
        });
        result.partnerNotified = true;
      } catch (error) {
        this.#logger.error({ ...log, err: error }, 'could not tell the partner the outcome');
      }
    }
    return result;
  }

  /** Stops every timer; states not sent yet are dropped (call `flush` first). */
  close(): void {
    for (const slot of this.#slots.values()) {
      if (slot.timer) clearTimeout(slot.timer);
      for (const waiter of slot.waiters) waiter.resolve();
    }
    this.#slots.clear();
  }

  #slot(target: MessageRef, submissionId: string): Slot {
    const key = keyOf(target);
    let slot = this.#slots.get(key);
    if (!slot) {
      slot = {
        key,
        target: { channel: target.channel, ts: target.ts },
        submissionId,
        seq: 0,
        sentSeq: 0,
        inFlight: false,
        notBefore: 0,
        windowAt: 0,
        retryAfterAt: 0,
        failures: 0,
        parked: false,
        waiters: [],
      };
      this.#slots.set(key, slot);
    }
    return slot;
  }

  #flushSlot(slot: Slot): Promise<void> {
    if (!slot.pending && !slot.inFlight) return Promise.resolve();
    const done = new Promise<void>((resolve) => slot.waiters.push({ seq: slot.seq, resolve }));
    if (slot.pending && !slot.inFlight) {
      // Skip the backoff (and revive a parked state), but keep to the window and Retry-After.
      slot.parked = false;
      slot.notBefore = Math.max(slot.windowAt, slot.retryAfterAt);
      this.#schedule(slot, slot.notBefore - monotonic());
    }
    return done;
  }

  #schedule(slot: Slot, delayMs: number): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = setTimeout(() => this.#wake(slot), Math.max(0, delayMs));
    slot.timer.unref?.();
  }

  /** Sends the pending state if the window allows, else waits; forgets an idle slot. */
  #wake(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
    if (slot.inFlight) return;
    if (!slot.pending) {
      if (slot.waiters.length === 0 && this.#slots.get(slot.key) === slot) {
        this.#slots.delete(slot.key);
      }
      return;
    }
    if (slot.parked) return;
    const wait = slot.notBefore - monotonic();
    if (wait > 0) {
      this.#schedule(slot, wait);
      return;
    }
    void this.#send(slot);
  }

  async #send(slot: Slot): Promise<void> {
    const item = slot.pending;
    if (!item) return;
    slot.pending = undefined;
    slot.inFlight = true;
    const started = monotonic();
    slot.windowAt = started + this.#minIntervalMs;
    slot.notBefore = Math.max(slot.windowAt, slot.retryAfterAt);
    try {
      const message = statusMessage(item.submission, item.run, this.#now());
      await this.#client.chat.update({ ...slot.target, ...message });
      slot.sentSeq = Math.max(slot.sentSeq, item.seq);
      slot.failures = 0;
    } catch (error) {
      this.#failed(slot, item, error);
    } finally {
      slot.inFlight = false;
      slot.waiters = slot.waiters.filter((waiter) => {
        if (waiter.seq > item.seq) return true;
        waiter.resolve();
        return false;
      });
    }
    if (slot.pending && !slot.parked) {
      this.#schedule(slot, slot.notBefore - monotonic());
    } else if (!slot.pending) {
      // Keep the slot (and its window) until the window closes, then forget it.
      this.#schedule(slot, slot.notBefore - monotonic());
    }
  }

  #failed(slot: Slot, item: Pending, error: unknown): void {
    slot.failures += 1;
    const info = classify(error);
    // A newer state that arrived meanwhile supersedes this one; otherwise retry this one.
    if (!slot.pending) slot.pending = item;
    const now = monotonic();
    if (info.retryAfterSec !== undefined) {
      slot.retryAfterAt = now + info.retryAfterSec * 1000;
    }
    let retryInMs: number | undefined;
    if (info.transient) {
      const base = Math.max(this.#minIntervalMs, 100);
      const backoff = Math.min(MAX_BACKOFF_MS, base * 2 ** Math.min(slot.failures - 1, 6));
      slot.notBefore = Math.max(slot.windowAt, slot.retryAfterAt, now + backoff);
      retryInMs = Math.round(slot.notBefore - now);
    } else {
      // The same content would fail the same way; the next update (or a flush) tries again.
      slot.parked = true;
    }
    this.#logger.warn(
      {
        err: error,
        submissionId: slot.submissionId,
        channel: slot.target.channel,
        ts: slot.target.ts,
        reason: info.reason,
        failures: slot.failures,
        ...(retryInMs !== undefined ? { retryInMs } : {}),
      },
      retryInMs !== undefined
        ? 'pipeline status update failed; will retry with the newest state'
        : 'pipeline status update failed; the newest state waits for the next update',
    );
  }
}

function keyOf(target: MessageRef): string {
  return `${target.channel}:${target.ts}`;
}
