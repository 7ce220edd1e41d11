// How many submissions per second the real FirestoreStore stores on the emulator, with 1,
// 10 and 50 callers at once (each caller stores one, then the next). A measurement, not a
// test: it prints figures and asserts nothing. Run: `node bench/submit-throughput.ts`
// (starts an emulator unless FIRESTORE_EMULATOR_HOST is set; SUBMITS=N per level).
import { createFirestore } from '../src/store/firestore-client.ts';
import { FirestoreStore } from '../src/store/firestore-store.ts';
import { sampleSpec } from '../test/helpers/sample-spec.ts';
import { closedLoop, percentile } from './closed-loop.ts';
import { withEmulator } from './emulator.ts';
import { fixed, table } from './table.ts';

const CONCURRENCY = [1, 10, 50];
const SUBMITS = Number(process.env.SUBMITS ?? 1000);

const SPEC = sampleSpec();

/** Runs `op` `total` times with `callers` at once; answers the rate and latencies in ms. */
async function measure(callers: number, total: number, op: (n: number) => Promise<unknown>) {
  await op(-1); // the client's connection, before the clock starts
  const { times, totalMs } = await closedLoop(callers, total, (n) => n, op);
  return {
    perSecond: (total * 1000) / totalMs,
    p50: percentile(times, 0.5),
    p99: percentile(times, 0.99),
  };
}

/** A project of its own per measurement: no documents left from the one before. */
function freshProject(label: string) {
  return createFirestore({ projectId: `bench-${label}-${Date.now()}` });
}

/** `store.create` of the real FirestoreStore. */
async function creates(callers: number) {
  const db = freshProject(`submit-${callers}`);
  const store = new FirestoreStore(db);
  const partner = { userId: 'UBENCH0001', name: 'bench' };
  const figures = await measure(callers, SUBMITS, (n) =>
    store.create({ partner, spec: SPEC, warnings: [], requestId: `bench:${callers}:${n}` }),
  );
  await store.drain();
  await db.terminate();
  return figures;
}

/** The reference: a transaction that reads one document and creates it, nothing else. */
async function bareTransactions(callers: number) {
  const db = freshProject(`bare-${callers}`);
  const figures = await measure(callers, SUBMITS, (n) =>
    db.runTransaction(async (tx) => {
      const ref = db.doc(`bare/${n}`);
      await tx.get(ref);
      tx.create(ref, { n });
    }),
  );
  await db.terminate();
  return figures;
}

await withEmulator(async () => {
  const rows: string[][] = [];
  for (const callers of CONCURRENCY) {
    // Interleaved, so both see the same load on the machine.
    const bare = await bareTransactions(callers);
    const stored = await creates(callers);
    rows.push([
      String(callers),
      String(SUBMITS),
      fixed(stored.perSecond, 0),
      fixed(stored.p50),
      fixed(stored.p99),
      fixed(bare.perSecond, 0),
      fixed(bare.p99),
    ]);
  }
  console.log(
    table(
      ['callers', 'submissions', 'stored/s', 'p50 ms', 'p99 ms', '1-doc tx/s', 'tx p99 ms'],
      rows,
    ),
  );
});
