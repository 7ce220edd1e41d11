// Start-up of the local workspace (issue 5 asks for "ready" in under 30 s): time from
// `node src/main.ts` to its "ready" line, with and without an emulator already running,
// against the Firestore emulator's own start-up measured in the same run (the part of
// the wait that is not ours). A measurement, not a test: nothing here asserts.
//
//   node bench/startup.ts            (3 runs of each)
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, startFirestoreEmulator } from '../src/local/firestore-emulator.ts';

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

const baseline: number[] = [];
const own: number[] = [];
const reused: number[] = [];
for (let i = 0; i < RUNS; i++) {
  baseline.push(await emulatorAlone());
  own.push(await timeToReady({}));
}
const shared = await startFirestoreEmulator();
for (let i = 0; i < RUNS; i++)
  reused.push(await timeToReady({ FIRESTORE_EMULATOR_HOST: shared.host }));
await shared.stop();

const base = median(baseline);
const rows: [string, number][] = [
  ['Firestore emulator alone (baseline)', base],
  ['npm start, starting its own emulator', median(own)],
  ['npm start, FIRESTORE_EMULATOR_HOST set', median(reused)],
];
console.log(`time to ready, median of ${RUNS} runs (target: under 30 s)`);
for (const [what, seconds] of rows) {
  console.log(
    `  ${what.padEnd(40)} ${seconds.toFixed(1).padStart(6)} s   ${(seconds / base).toFixed(2)}x baseline`,
  );
}
