/**
 * Keeps calls to Cloud Build and App Engine bounded however many pipelines are in
 * flight: a token bucket refilled at `callsPerMinute` (with a small burst), shared by
 * every pipeline this instance tracks. Each pipeline also backs off on its own while
 * nothing changes, so quiet pipelines leave the budget to busy ones.
 */
export class PollBudget {
  readonly #ratePerMs: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #at: number;

  constructor(callsPerMinute: number, now: () => number = Date.now) {
    this.#ratePerMs = callsPerMinute / 60_000;
    this.#burst = Math.max(1, Math.ceil(callsPerMinute / 10));
    this.#now = now;
    this.#tokens = this.#burst;
    this.#at = now();
  }

  /** Takes one call's worth of budget, or says there is none left right now. */
  take(): boolean {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#at) * this.#ratePerMs);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

export interface Backoff {
  initialMs: number;
  factor: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 2_000, factor: 1.5, maxMs: 30_000 };

/** The next wait: back to the start after a change, longer (up to the cap) after none. */
export function nextDelay(
  previousMs: number | undefined,
  changed: boolean,
  backoff: Backoff,
): number {
  if (changed || previousMs === undefined) return backoff.initialMs;
  return Math.min(backoff.maxMs, Math.round(previousMs * backoff.factor));
}
