import { randomBytes } from 'node:crypto';

/** Milliseconds since the epoch; injectable so tests control time. */
export type Clock = () => number;

const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Slack-looking ids: `V` + 10 upper-case alphanumerics, made from a counter so they stay readable. */
export function slackId(prefix: string, n: number): string {
  let body = '';
  let rest = n;
  for (let i = 0; i < 10; i += 1) {
    body = ALNUM[rest % ALNUM.length] + body;
    rest = Math.floor(rest / ALNUM.length);
  }
  return `${prefix}${body}`;
}

/**
 * Issues message timestamps the way Slack does: `seconds.microseconds`, unique and increasing
 * within the workspace even when the clock stands still or goes back.
 */
export class TsFactory {
  readonly #clock: Clock;
  #lastMicros = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  next(): string {
    const micros = Math.max(Math.floor(this.#clock() * 1000), this.#lastMicros + 1);
    this.#lastMicros = micros;
    const seconds = Math.floor(micros / 1_000_000);
    const fraction = String(micros % 1_000_000).padStart(6, '0');
    return `${seconds}.${fraction}`;
  }
}

/** Counters for every kind of id the stand-in hands out. */
export class IdFactory {
  readonly #counters = new Map<string, number>();

  next(prefix: string): string {
    const n = (this.#counters.get(prefix) ?? 0) + 1;
    this.#counters.set(prefix, n);
    return slackId(prefix, n);
  }

  /** A trigger id in Slack's format `132456.7890123.abcdef` (digits.digits.hex). */
  trigger(nowMs: number): string {
    const n = (this.#counters.get('trigger') ?? 0) + 1;
    this.#counters.set('trigger', n);
    return `${Math.floor(nowMs / 1000)}${String(n).padStart(3, '0')}.${1000000 + n}.${randomBytes(16).toString('hex')}`;
  }

  /** A view hash like Slack's `156772938.1827394`, new on every change. */
  hash(nowMs: number): string {
    return `${Math.floor(nowMs / 1000)}.${randomBytes(4).toString('hex')}`;
  }
}
