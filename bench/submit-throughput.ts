// How many submissions per second the real FirestoreStore stores on the emulator, with 1,
// 10 and 50 callers at once (each caller stores one, then the next). A measurement, not a
// test: it prints figures and asserts nothing. Run: `node bench/submit-throughput.ts`
// (starts an emulator unless FIRESTORE_EMULATOR_HOST is set; SUBMITS=N per level).
import { performance } from 'node:perf_hooks';
import type { SubmissionSpec } from '../src/domain/submission-spec/index.ts';
import { createFirestore } from '../src/store/firestore-client.ts';
import { FirestoreStore } from '../src/store/firestore-store.ts';
import { withEmulator } from './emulator.ts';
import { fixed, table } from './table.ts';

const CONCURRENCY = [1, 10, 50];
const SUBMITS = Number(process.env.SUBMITS ?? 1000);

const SPEC: SubmissionSpec = {
  image: 'eu.gcr.io/theplayground_repo/my_service:1.0.3',
  service: 'my-service',
  ZOOM_LEVEL: 16,
  PADDING: 24,
  PREDICTOR_CLASS: 'MyPredictor',
  PREDICTOR_PACKAGE: 'my_package.my_module',
  resources: { cpu: 4, memory_gb: 3.2, disk_size_gb: 10 },
  gunicorn: { workers: 2, backlog: 6, timeout: 60 },
  describe: {},
};

/** Stores `total` submissions with `callers` at once; answers their latencies in ms. */
async function level(callers: number, total: number) {
  // A project of its own per level: no documents left from the one before.
  const db = createFirestore({ projectId: `bench-submit-${callers}-${Date.now()}` });
  const store = new FirestoreStore(db);
  const partner = { userId: 'UBENCH0001', name: 'bench' };
  const store1 = (n: number) =>
    store.create({ partner, spec: SPEC, warnings: [], requestId: `bench:${callers}:${n}` });
  await store1(-1); // the client's connection, before the clock starts
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (next < total) {
        const n = next++;
        const t = performance.now();
        await store1(n);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await store.drain();
  await db.terminate();
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { perSecond: total / seconds, p50: at(0.5), p99: at(0.99) };
}

await withEmulator(async () => {
  const rows: string[][] = [];
  for (const callers of CONCURRENCY) {
    const { perSecond, p50, p99 } = await level(callers, SUBMITS);
    rows.push([String(callers), String(SUBMITS), fixed(perSecond, 0), fixed(p50), fixed(p99)]);
  }
  console.log(table(['callers', 'submissions', 'stored/s', 'p50 ms', 'p99 ms'], rows));
});
