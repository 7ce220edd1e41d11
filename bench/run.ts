// Benchmark of the pipeline tracker (issues 4 and 15): for 1, 50, 500 and 5,000 in-flight
// pipelines, one bot with production tracker settings polls the local Cloud Build, App
// Engine and Slack stand-ins; prints the API calls per minute over a window of steady
// tracking, the Firestore documents read and written per minute by purpose (heartbeat and
// claims, runs, discovery, outbox) and the bot process's peak memory. A measurement, not a
// test: nothing here asserts.
//
//   npm run bench                                   (window of 60 s per size, ~8-10 min)
//   BENCH_WINDOW_S=20 BENCH_SIZES=1,50 node bench/run.ts
//
// Uses FIRESTORE_EMULATOR_HOST when set; otherwise starts (and stops) an emulator.
import { TRACKER_DEFAULTS } from '../src/pipeline/tracker.ts';
import { withEmulator } from './emulator.ts';
import { type PhaseResult, runPhase } from './phase.ts';
import { report } from './report.ts';

/** The budget the measured bot runs with: the tracker's production default. */
export const PRODUCTION_BUDGET = TRACKER_DEFAULTS.callsPerMinute;

function positiveNumbers(value: string | undefined, fallback: number[], name: string): number[] {
  if (!value?.trim()) return fallback;
  const numbers = value.split(',').map(Number);
  if (numbers.some((n) => !Number.isInteger(n) || n <= 0)) {
    throw new Error(`${name} must be positive whole numbers separated by commas, got ${value}`);
  }
  return numbers;
}

const [windowS = 60] = positiveNumbers(process.env.BENCH_WINDOW_S, [60], 'BENCH_WINDOW_S');
const sizes = positiveNumbers(process.env.BENCH_SIZES, [1, 50, 500, 5000], 'BENCH_SIZES');

await withEmulator(async (host) => {
  console.log(
    `budget: callsPerMinute ${PRODUCTION_BUDGET} (Cloud Build + App Engine, per bot instance; ` +
      `a token bucket, so a window may also spend its burst of callsPerMinute/10); ` +
      `per-pipeline backoff ${TRACKER_DEFAULTS.backoff.initialMs / 1000}-${TRACKER_DEFAULTS.backoff.maxMs / 1000} s ` +
      `(x${TRACKER_DEFAULTS.backoff.factor}); window ${windowS} s per size after every pipeline is tracked`,
  );
  const results: PhaseResult[] = [];
  for (const size of sizes) {
    console.error(`${size} pipelines: seeding, discovery, ${windowS} s window…`);
    results.push(await runPhase(size, windowS * 1000, host));
  }
  console.log(report(results, PRODUCTION_BUDGET));
});
