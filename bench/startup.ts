// Start-up of the local workspace (issue 5 asks for "ready" in under 30 s): time from
// `node src/main.ts` to its "ready" line, with and without an emulator already running,
// against the Firestore emulator's own start-up measured in the same run (the part of
// the wait that is not ours); and the same for a second `npm start` (issue 9: everything
// already set up, from a shell whose system Node comes first, so that on Debian 12 it
// goes through the set-up's checks and `.tools/`' Node 22). A measurement, not a test:
// nothing here asserts.
//
//   node bench/startup.ts            (3 runs of each)
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, startFirestoreEmulator } from '../src/local/firestore-emulator.ts';
import { newcomerEnv, npmStart, ROOT } from '../test/e2e/npm-start.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

/** Seconds from spawn to the "ready" line, then a clean Ctrl-C. */
async function timeToReady(extraEnv: NodeJS.ProcessEnv): Promise<number> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(await freePort()),
    PLAYGROUND_PAGE_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  for (const name of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET']) delete env[name];
  if (!extraEnv.FIRESTORE_EMULATOR_HOST) delete env.FIRESTORE_EMULATOR_HOST;
  const started = performance.now();
  const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const seconds = await new Promise<number>((resolve, reject) => {
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready in')) resolve((performance.now() - started) / 1000);
    });
    void exited.then(() => reject(new Error(`exited before ready:\n${output}`)));
  });
  child.kill('SIGINT');
  await exited;
  return seconds;
}

/**
 * Seconds from `npm start` to its "ready" line, then Ctrl-C (stop() waits until everything
 * it started has gone). Throws when it set anything up: that run would not be a second one.
 */
async function npmStartToReady(extraEnv: NodeJS.ProcessEnv): Promise<number> {
  const env = await newcomerEnv(extraEnv);
  const started = performance.now();
  const run = npmStart(ROOT, env);
  await run.ready;
  const seconds = (performance.now() - started) / 1000;
  await run.stop();
  const setUp = /^set-up: .*$/m.exec(run.output());
  if (setUp) throw new Error(`not a second npm start, it set up: ${setUp[0]}`);
  return seconds;
}

async function emulatorAlone(): Promise<number> {
  const started = performance.now();
  const emulator = await startFirestoreEmulator();
  const seconds = (performance.now() - started) / 1000;
  await emulator.stop();
  return seconds;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

// A first npm start sets up whatever is missing; only the runs after it are timed.
const first = npmStart(ROOT, await newcomerEnv({ LOG_LEVEL: 'error' }));
await first.ready;
await first.stop();
const firstSetUp = /^set-up: .*$/m.exec(first.output())?.[0];
if (firstSetUp) console.log(`(the first npm start, not timed, did ${firstSetUp})`);

const baseline: number[] = [];
const own: number[] = [];
const npmOwn: number[] = [];
const reused: number[] = [];
const npmReused: number[] = [];
for (let i = 0; i < RUNS; i++) {
  baseline.push(await emulatorAlone());
  own.push(await timeToReady({}));
  npmOwn.push(await npmStartToReady({}));
}
const shared = await startFirestoreEmulator();
for (let i = 0; i < RUNS; i++) {
  reused.push(await timeToReady({ FIRESTORE_EMULATOR_HOST: shared.host }));
  npmReused.push(await npmStartToReady({ FIRESTORE_EMULATOR_HOST: shared.host }));
}
await shared.stop();

const base = median(baseline);
const rows: [string, number][] = [
  ['Firestore emulator alone (baseline)', base],
  ['node src/main.ts, its own emulator', median(own)],
  ['npm start (2nd), its own emulator', median(npmOwn)],
  ['node src/main.ts, FIRESTORE_EMULATOR_HOST set', median(reused)],
  ['npm start (2nd), FIRESTORE_EMULATOR_HOST set', median(npmReused)],
];
console.log(`time to ready, median of ${RUNS} runs (target: under 30 s)`);
for (const [what, seconds] of rows) {
  console.log(
    `  ${what.padEnd(46)} ${seconds.toFixed(1).padStart(6)} s   ${(seconds / base).toFixed(2)}x baseline`,
  );
}
const overhead = median(npmReused) - median(reused);
console.log(`  npm start's own cost (npm, set-up checks, the Node hop): ${overhead.toFixed(2)} s`);
