/**
 * Small helpers shared by `bench/queue.ts` and `bench/concurrency.ts`: the
 * median of a few rounds, and a table printed with aligned columns (the
 * first left-aligned, the others right-aligned).
 */

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

export function printTable(rows: readonly (readonly string[])[]): void {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? "").length))) ?? [];
  for (const row of rows) console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join("  ").trimEnd());
}

/** Wall-clock time in milliseconds with sub-millisecond resolution, comparable between processes of one machine. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Parses a positive integer option, or exits with a message naming it. */
