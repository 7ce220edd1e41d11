// Firestore documents read and written by the measured bot, by purpose. The emulator keeps
// no usage log to read, so the client library's read and write entry points are wrapped in
// this process; each store call runs under its purpose (see store-calls.ts), which the
// counts are filed under. A read of a query counts its documents (at least one, as
// Firestore bills); a write counts each document a commit sets, updates, creates or
// deletes (an attempt that is retried counts again, as it costs again).
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  DocumentReference,
  Query,
  type QuerySnapshot,
  Transaction,
  WriteBatch,
} from '@google-cloud/firestore';
import type { DocOps } from './protocol.ts';

/** What a store call is for, by its method's name. */
export type Purpose = 'leases' | 'runs' | 'discovery' | 'outbox' | 'other';

const PURPOSES: Record<string, Purpose> = {
  beat: 'leases',
  endBeat: 'leases',
  claim: 'leases',
  release: 'leases',
  forgetInstance: 'leases',
  inFlight: 'discovery',
  lapsedInstances: 'discovery',
  get: 'runs',
  saveRun: 'runs',
  saveOperation: 'runs',
  claimTurn: 'runs',
  undelivered: 'outbox',
  leaseOutbox: 'outbox',
  releaseOutbox: 'outbox',
  outbox: 'outbox',
  recordDelivery: 'outbox',
};

export function purposeOf(method: string): Purpose {
  return PURPOSES[method] ?? 'other';
}

interface Scope {
  purpose: Purpose;
  /** Inside a wrapped entry point: the library's own nested calls are not counted again. */
  counting: boolean;
}

const scope = new AsyncLocalStorage<Scope>();
let ops: Record<string, DocOps> = {};

function add(kind: keyof DocOps, n: number) {
  const purpose = scope.getStore()?.purpose ?? 'other';
  const entry = ops[purpose] ?? { reads: 0, writes: 0 };
  entry[kind] += n;
  ops[purpose] = entry;
}

/** Runs `fn` with its Firestore operations filed under `purpose`. */
export function withPurpose<T>(purpose: Purpose, fn: () => T): T {
  return scope.run({ purpose, counting: false }, fn);
}

/** Wraps `proto[name]` so that each outermost call counts `measure(args, result)` documents. */
function wrap(
  proto: object,
  name: string,
  kind: keyof DocOps,
  measure: (args: unknown[], result: unknown) => number,
) {
  const original = (proto as Record<string, unknown>)[name] as (...args: unknown[]) => unknown;
  Object.defineProperty(proto, name, {
    configurable: true,
    writable: true,
    value: function (this: unknown, ...args: unknown[]) {
      const outer = scope.getStore();
      if (outer?.counting) return original.apply(this, args);
      const inner = { purpose: outer?.purpose ?? 'other', counting: true } as Scope;
      const result = scope.run(inner, () => original.apply(this, args));
      if (result instanceof Promise) {
        return result.then((value: unknown) => {
          scope.run(inner, () => add(kind, measure(args, value)));
          return value;
        });
      }
      scope.run(inner, () => add(kind, measure(args, result)));
      return result;
    },
  });
}

const queryDocs = (result: unknown) => Math.max(1, (result as QuerySnapshot).size);
const one = () => 1;

let installed = false;

/** Starts counting (once per process). */
export function countFirestoreOps() {
  if (!installed) {
    installed = true;
    wrap(DocumentReference.prototype, 'get', 'reads', one);
    wrap(Query.prototype, 'get', 'reads', (_, result) => queryDocs(result));
    wrap(Transaction.prototype, 'get', 'reads', ([target], result) =>
      target instanceof DocumentReference ? 1 : queryDocs(result),
    );
    wrap(
      Transaction.prototype,
      'getAll',
      'reads',
      (args) => args.filter((a) => a instanceof DocumentReference).length,
    );
    for (const write of ['set', 'update', 'create', 'delete']) {
      wrap(WriteBatch.prototype, write, 'writes', one);
    }
  }
  return {
    /** The counts since the last call, by purpose. */
    take(): Record<string, DocOps> {
      const taken = ops;
      ops = {};
      return taken;
    },
  };
}
