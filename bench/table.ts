// Plain-text tables for the benchmark's report.

/** Columns right-aligned under their headers, separated by two spaces. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padStart(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export const fixed = (value: number, digits = 1) => value.toFixed(digits);

/** `value / base` as `12.3x` (`digits` decimals), or `-` when there is no base to compare with. */
export const ratio = (value: number, base: number | undefined, digits = 1) =>
  base ? `${(value / base).toFixed(digits)}x` : '-';

/** `12.3 (+4.5)`: a value and its growth over a baseline. */
export const withDelta = (value: number, base: number) =>
  `${value.toFixed(1)} (${value >= base ? '+' : ''}${(value - base).toFixed(1)})`;
