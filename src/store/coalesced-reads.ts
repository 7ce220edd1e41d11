import type { DocumentReference, DocumentSnapshot, Firestore } from '@google-cloud/firestore';

/**
 * Most documents asked in one BatchGetDocuments. The API documents no limit; this keeps a
 * request small (a few hundred bytes per name) whatever the burst.
 */
export const MAX_DOCS_PER_READ = 100;

/**
 * Longest a request keeps the next ones waiting: the client allows BatchGetDocuments 300 s,
 * and a read stuck that long must not hold back every later one (each caller still has its
 * own deadline). Past this the next request goes beside it.
 */
export const SLOT_MS = 200;

interface Waiting {
  refs: readonly DocumentReference[];
  resolve: (snaps: DocumentSnapshot[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Reads of documents outside a transaction, made while another is in flight, sent together
 * in one `getAll` when it answers: a burst of submissions checks who owns its services in a
 * few round trips instead of one each (bench/ack.ts, view_submission at 50 clients: each
 * RPC costs the process CPU in the client and gRPC). A read with nothing in flight is sent
 * at once, so a lone request waits for nothing.
 *
 * A read is as fresh as one made alone at the time it was sent: it never reuses an answer
 * asked before it was made. Duplicate names in one request are sent once (the API elides
 * them anyway). A failed request fails every read it carried, each with its own error.
 */
export class CoalescedReads {
  readonly #db: Firestore;
  readonly #maxDocs: number;
  readonly #slotMs: number;
  readonly #waiting: Waiting[] = [];
  /** The request the next ones wait for, if any (a token: its answer frees only its own turn). */
  #slot: object | undefined;

  constructor(db: Firestore, options: { maxDocs?: number; slotMs?: number } = {}) {
    this.#db = db;
    this.#maxDocs = options.maxDocs ?? MAX_DOCS_PER_READ;
    this.#slotMs = options.slotMs ?? SLOT_MS;
  }

  /** The snapshots of `refs`, in their order (missing documents as snapshots that do not exist). */
  get(refs: readonly DocumentReference[]): Promise<DocumentSnapshot[]> {
    if (refs.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.#waiting.push({ refs, resolve, reject });
      if (!this.#slot) this.#send();
    });
  }

  /** Sends the waiting reads that fit in one request; the rest go when it answers. */
  #send(): void {
    const batch: Waiting[] = [];
    const unique = new Map<string, DocumentReference>();
    for (const next of this.#waiting) {
      const names = next.refs.filter((ref) => !unique.has(ref.path));
      // A read bigger than the limit alone still goes, alone.
      if (batch.length > 0 && unique.size + names.length > this.#maxDocs) break;
      batch.push(next);
      for (const ref of names) unique.set(ref.path, ref);
    }
    this.#waiting.splice(0, batch.length);
    if (batch.length === 0) return;
    const slot = {};
    this.#slot = slot;
    const free = () => {
      if (this.#slot !== slot) return;
      clearTimeout(timer);
      this.#slot = undefined;
      this.#send();
    };
    const timer = setTimeout(free, this.#slotMs);
    timer.unref?.();
    this.#db
      .getAll(...unique.values())
      .then(
        (snaps) => {
          const byPath = new Map(snaps.map((snap) => [snap.ref.path, snap]));
          for (const { refs, resolve } of batch) {
            resolve(refs.map((ref) => byPath.get(ref.path) as DocumentSnapshot));
          }
        },
        (error: unknown) => {
          for (const { reject } of batch) reject(error);
        },
      )
      .finally(free);
  }
}
