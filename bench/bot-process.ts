// The measured bot, in a process of its own so that its memory is the bot's alone (not the
// stand-ins' request logs, nor the seeding). Forked by bench/run.ts with the bot's
// environment; it reports over IPC (see protocol.ts). Production tracker defaults.
import { createBot } from '../src/bot.ts';
import { readConfig } from '../src/config.ts';
import { countFirestoreOps } from './firestore-ops.ts';
import { countingLogger } from './log-counts.ts';
import { memoryNow, PeakMemory } from './memory.ts';
import type { FromBot, ToBot } from './protocol.ts';
import { countCalls } from './store-calls.ts';

// Before the bot's Firestore client exists: its reads and writes are counted from the start.
const firestoreOps = countFirestoreOps();

const parent = process.send?.bind(process);
if (!parent) throw new Error('bench/bot-process.ts is started by bench/run.ts');
const tell = (message: FromBot) =>
  new Promise<void>((resolve, reject) =>
    parent(message, undefined, {}, (error) => (error ? reject(error) : resolve())),
  );

globalThis.gc?.();
const baseline = memoryNow();
const memory = new PeakMemory();
const { logger, counts: warnings } = countingLogger();
const bot = createBot(readConfig(process.env), logger);
// Every store method: each store call is counted and files its documents under its purpose.
const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(bot.store)).filter(
  (name) => name !== 'constructor',
) as (keyof typeof bot.store & string)[];
const store = countCalls(bot.store, methods);
await bot.start(0);
await tell({ kind: 'started' });
const heldTimer = setInterval(() => {
  void tell({ kind: 'held', count: bot.tracker.held.length });
}, 250);
let windowStart = performance.now();

process.on('message', (message: ToBot) => {
  if (message.kind === 'window') {
    windowStart = performance.now();
    store.take();
    firestoreOps.take();
    return;
  }
  clearInterval(heldTimer);
  const report = {
    baseline,
    peak: memory.stop(),
    windowMs: performance.now() - windowStart,
    store: store.take(),
    firestore: firestoreOps.take(),
    warnings,
  };
  void (async () => {
    await tell({ kind: 'report', report });
    await bot.stop();
    process.disconnect();
  })();
});
