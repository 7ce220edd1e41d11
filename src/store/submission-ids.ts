/**
 * Submission numbers handed out in blocks, so no create reads or writes a shared document.
 *
 * `counters/submissions {value}` holds the last number reserved by any instance. An instance
 * reserves the next block in one transaction (value += size) and hands its numbers out
 * locally; callers that arrive while a reservation runs wait for that same reservation.
 * Numbers a process reserved and never used (it stopped, it crashed) are a gap in the ids,
 * never a duplicate: each block belongs to one transaction that moved the counter past it,
 * and the submission document is created with `create`, which fails if it exists.
 *
 * The block grows with demand: one used up within a second doubles the next (up to
 * MAX_BLOCK), so a burst costs a reservation per hundreds of submissions, while a quiet
 * instance keeps small blocks and small gaps when it stops.
 */
import type { DocumentReference, Firestore } from '@google-cloud/firestore';
import { StoreError } from '../ports/store.ts';

export const MIN_BLOCK = 20;
const MAX_BLOCK = 500;
/** A block used up faster than this asks for twice as many next time. */
const BUSY_MS = 1_000;

export interface SubmissionIdsOptions {
  /** Transaction attempts for a reservation. */
  maxAttempts: number;
  /** Monotonic milliseconds (tests may pass their own). */
  clock?: () => number;
}

export class SubmissionIds {
  readonly #counter: DocumentReference;
  readonly #o: Required<SubmissionIdsOptions>;
  /** The next number to hand out, and the end of the block (exclusive). */
  #next = 0;
  #end = 0;
  #size = MIN_BLOCK;
  #reservedAt = 0;
  #reserving: Promise<void> | undefined;

  constructor(db: Firestore, counterPath: string, options: SubmissionIdsOptions) {
    this.#counter = db.doc(counterPath);
    this.#o = { clock: () => performance.now(), ...options };
  }

  /** The next unused number of this instance's block, reserving a block when it ran out. */
  async next(): Promise<number> {
    while (this.#next >= this.#end) {
      this.#reserving ??= this.#reserve().finally(() => {
        this.#reserving = undefined;
      });
      await this.#reserving;
    }
    const number = this.#next;
    this.#next += 1;
    return number;
  }

  async #reserve(): Promise<void> {
    const now = this.#o.clock();
    if (this.#reservedAt > 0 && now - this.#reservedAt < BUSY_MS) {
      this.#size = Math.min(MAX_BLOCK, this.#size * 2);
    } else {
      this.#size = MIN_BLOCK;
    }
    const size = this.#size;
    const last = await this.#counter.firestore.runTransaction(
      async (tx) => {
        const value = counterValue((await tx.get(this.#counter)).get('value'));
        tx.set(this.#counter, { value: value + size });
        return value;
      },
      { maxAttempts: this.#o.maxAttempts },
    );
    this.#next = last + 1;
    this.#end = last + 1 + size;
    this.#reservedAt = this.#o.clock();
  }
}

function counterValue(value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new StoreError('invalid_data', `the submission counter holds ${JSON.stringify(value)}`);
  }
  return value;
}
