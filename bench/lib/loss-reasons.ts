/**
 * Why an excerpt misses labelled lines, from the distiller's own trace rather
 * than from reading logs: the labelled text keeps terminal escapes that the
 * scorer does not strip (`ESC =`, `ESC >`: no cleaned excerpt can match it),
 * the chunk cannot fit, it lies outside the step the distiller focused on, no
 * signature made a block of it, or its block ranked below what the budget holds.
 */
import type { DistillTrace } from "../../src/evidence/distill-log.ts";
import { normaliseForScore, terminalLines, type LogChunksRow } from "./logchunks.ts";

export type LossReason =
  | "none"
  | "label keeps terminal escapes"
  | "chunk over budget"
  | "outside the focused step"
  | "no block (no signature)"
  | "block ranked out";

export function lossReason(raw: string, row: LogChunksRow, excerpt: string, trace: DistillTrace, budget: number): LossReason {
  const lines = terminalLines(raw);
  const hay = terminalLines(excerpt).map(normaliseForScore).join("\n");
  const lost: number[] = [];
  let escaped = 0;
  const distinct = new Set<string>();
  for (const [a, b] of row.gold_lines) {
    for (let i = a; i <= b; i++) {
      const t = normaliseForScore(lines[i] ?? "");
      if (!t) continue;
      distinct.add(t);
      if (hay.includes(t)) continue;
      lost.push(i);
      if (t.includes("\x1b")) escaped++;
    }
  }
  if (lost.length === 0) return "none";
  if (escaped * 2 > lost.length) return "label keeps terminal escapes";
  let bytes = 0;
  for (const t of distinct) bytes += Buffer.byteLength(t) + 1;
  if (bytes > budget) return "chunk over budget";
  const focused = trace.focus.some((f) => f.header !== undefined);
  const inFocus = (l: number): boolean => trace.focus.some((f) => l >= f.start && l < f.end);
  const inBlock = (l: number): boolean => trace.blocks.some((b) => l >= b.start && l < b.end);
  const majority = (pred: (l: number) => boolean): boolean => lost.filter(pred).length * 2 > lost.length;
  if (focused && majority((l) => !inFocus(l))) return "outside the focused step";
  if (majority((l) => !inBlock(l))) return "no block (no signature)";
  return "block ranked out";
}
