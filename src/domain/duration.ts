/**
 * Durations as people write and read them: `90s`, `10m`, `1h 30m` in configuration, and
 * `8s`, `1m 12s`, `1h 4m` in messages. Pure.
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * Milliseconds of `10m`, `90s`, `1h30m` or `1h 30m` (units ms, s, m, h; whole numbers);
 * undefined when the text is not such a duration.
 */
export function parseDuration(text: string): number | undefined {
  const compact = text.trim().toLowerCase().replace(/\s+/g, '');
  if (!/^(\d+(ms|s|m|h))+$/.test(compact)) return undefined;
  let total = 0;
  for (const [, amount, unit] of compact.matchAll(/(\d+)(ms|s|m|h)/g)) {
    total += Number(amount) * (UNIT_MS[unit as string] ?? 0);
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

/** `8s`, `1m 12s`, `3m`, `1h 4m`: whole seconds, never negative. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  if (total < 60) return `${total}s`;
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  if (minutes < 60) return seconds === 0 ? `${minutes}m` : `${minutes}m ${seconds}s`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours}h` : `${hours}h ${rest}m`;
}
