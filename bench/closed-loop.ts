// Load from a fixed number of callers, each starting its next operation as soon as its last
// one answered (a closed loop): how the benchmarks that time answers drive their target.

/** Percentile `p` (0–1) of sorted `values`. */
export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;

/**
 * Runs `op(n)` for n = 0 … total-1 with `callers` at once. `prepare(n)` runs before the clock
 * of that operation starts (building a signed request, say). Answers each operation's ms,
 * sorted, and the whole run's ms.
 */
export async function closedLoop<P>(
  callers: number,
  total: number,
  prepare: (n: number) => Promise<P> | P,
  op: (prepared: P) => Promise<unknown>,
): Promise<{ times: number[]; totalMs: number }> {
  const times: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (next < total) {
        const prepared = await prepare(next++);
        const t = performance.now();
        await op(prepared);
        times.push(performance.now() - t);
      }
    }),
  );
  return { times: times.sort((a, b) => a - b), totalMs: performance.now() - started };
}
