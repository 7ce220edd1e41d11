import type { NumberRule } from './values.ts';

// Bounds are generous sanity limits, not tuning advice:
// - workers 1..64: each worker loads its own copy of the model; the largest flexible
//   instance has 80 cores, and past 64 processes a model server is misconfigured.
// - backlog 1..2048: gunicorn's own default is 2048, and the kernel caps listen() at
//   net.core.somaxconn anyway; the seed uses 6 to shed load early instead of queueing.
// - timeout 1..3600 s: App Engine flexible ends requests after 60 minutes, so a longer
//   worker timeout could never be reached.
export const WORKERS_RULE: NumberRule = Object.freeze({ min: 1, max: 64, whole: true });
export const BACKLOG_RULE: NumberRule = Object.freeze({ min: 1, max: 2048, whole: true });
export const TIMEOUT_RULE: NumberRule = Object.freeze({
  min: 1,
  max: 3600,
  whole: true,
  unit: ' seconds',
});

/**
 * Gunicorn's guide suggests (2 x cores) + 1 workers; well past that, workers only compete
 * for CPU while each holds a copy of the model in memory. A warning, not an error: a
 * partner may know their model is I/O bound.
 */
export function workersWarning(workers: number, cpu: number): string | undefined {
  const suggested = 2 * cpu + 1;
  if (workers <= suggested) return undefined;
  return `${workers} workers on ${cpu} CPU${cpu === 1 ? '' : 's'} is more than gunicorn suggests ((2 x CPUs) + 1 = ${suggested}); each worker loads its own copy of the model, so memory may run out`;
}
