/**
 * Scripted failures of the Slack Web API stand-in: any method can fail once, n times or for
 * a while, in each way Slack's answers can go wrong for a caller.
 *
 * How Slack answers (https://docs.slack.dev/apis/web-api/): every method answers HTTP 200
 * with a JSON object whose `ok` says whether it worked; a failure carries a short `error`
 * code. The errors a method can give are listed on its reference page, e.g.
 * https://docs.slack.dev/reference/methods/chat.postMessage (`channel_not_found`,
 * `not_in_channel`, `is_archived`, `invalid_blocks`, ... and the ones every method can give:
 * `internal_error`, `fatal_error`, `service_unavailable`, `request_timeout`, `ratelimited`).
 * Rate limits are the exception to "always 200": HTTP 429 with a `Retry-After` header
 * giving the seconds to wait (https://docs.slack.dev/apis/web-api/rate-limits).
 */

export type SlackFault =
  /** HTTP 200 `{ ok: false, error }`, as for any error Slack names. */
  | { kind: 'error'; error: string }
  /** HTTP 429 `{ ok: false, error: 'ratelimited' }` with `Retry-After: retryAfterSec`. */
  | { kind: 'ratelimited'; retryAfterSec: number }
  /** An HTTP error status (5xx) with a plain-text body, as from a proxy in front of Slack. */
  | { kind: 'http'; status: number }
  /** The connection is destroyed without an answer; the call is not carried out. */
  | { kind: 'reset' }
  /**
   * No answer for `ms`, then the call is carried out and answered as usual, even to a
   * caller that gave up meanwhile (its message then exists though it never learnt the
   * `ts`). Without `ms`: never answered while the stand-in runs.
   */
  | { kind: 'stall'; ms?: number };

/** The arguments of a call (its form or JSON body), which a fault may pick calls by. */
type CallArgs = Record<string, unknown>;

/**
 * How long a fault lasts: the next `times` calls (1 when absent), or every call for `forMs`;
 * with `match`, only the calls whose arguments it accepts (e.g. posts to one channel).
 */
export type FaultSpan = ({ times?: number; forMs?: never } | { forMs: number; times?: never }) & {
  match?: (args: CallArgs) => boolean;
};

interface Pending {
  method: string;
  fault: SlackFault;
  /** Calls left; undefined for a fault that lasts until `until`. */
  times?: number;
  until?: number;
  match?: (args: CallArgs) => boolean;
}

/** The faults scripted for the stand-in, matched by method name, first scripted first. */
export class SlackFaults {
  readonly #clock: () => number;
  #pending: Pending[] = [];

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  add(method: string, fault: SlackFault, span: FaultSpan = {}): void {
    const match = span.match ? { match: span.match } : {};
    this.#pending.push(
      span.forMs !== undefined
        ? { method, fault, until: this.#clock() + span.forMs, ...match }
        : { method, fault, times: span.times ?? 1, ...match },
    );
  }

  /** The fault a call to `method` meets now, used up by it; undefined when none applies. */
  take(method: string, args: CallArgs): SlackFault | undefined {
    const now = this.#clock();
    this.#pending = this.#pending.filter((p) =>
      p.until !== undefined ? now < p.until : (p.times ?? 0) > 0,
    );
    const pending = this.#pending.find((p) => p.method === method && (p.match?.(args) ?? true));
    if (!pending) return undefined;
    if (pending.times !== undefined) pending.times -= 1;
    return pending.fault;
  }

  clear(): void {
    this.#pending = [];
  }
}
