/**
 * Packs ranked line ranges into an excerpt that fits a byte budget, then renders
 * it in log order: omitted stretches become one marker line, repeated lines fold.
 *
 * Greedy by priority: a candidate is taken whole or not at all when `atomic`
 * (an error block is never cut when that can be avoided); only the best block
 * may be shortened (head and tail) when it alone exceeds what is left. The
 * rendered size is then measured exactly and the lowest priorities dropped until
 * it fits, so the result is always within budget.
 */
import type { LogView } from "./clean-log.ts";
import { FOLD_COST, createFoldIndex, createLineRenderer } from "./line-costs.ts";
import { renderExcerpt } from "./render-excerpt.ts";
import { utf8Head, utf8Length } from "./utf8.ts";

export interface Candidate {
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
  readonly priority: number;
  /** Taken whole or not at all. */
  readonly atomic: boolean;
  /** May be shortened to head + tail when it alone does not fit (the best error block). */
  readonly trimmable?: boolean;
  /** Index of the error block it carries, for statistics. */
  readonly block?: number;
}

export interface PackedExcerpt {
  readonly text: string;
  readonly bytes: number;
  /** Lines of the log shown in the excerpt, in order. */
  readonly lines: readonly number[];
  readonly omittedLines: number;
  readonly blocksKept: number;
}

const MARKER_COST = 36;

/**
 * Shortens one candidate to head + tail lines costing at most `room` bytes,
 * the omission markers in the middle and beside it included.
 */
function trimCandidate(c: Candidate, size: (i: number) => number, room: number): { lines: number[]; cost: number } {
  const head: number[] = [];
  const tail: number[] = [];
  let used = MARKER_COST * 2;
  const headRoom = room * 0.65;
  let i = c.start;
  for (; i < c.end && used + size(i) <= headRoom; i++) {
    head.push(i);
    used += size(i);
  }
  for (let j = c.end - 1; j >= i && used + size(j) <= room; j--) {
    tail.unshift(j);
    used += size(j);
  }
  return { lines: [...head, ...tail], cost: used };
}

/** Selects and renders the excerpt. `lineCap(i)` bounds line `i`, in bytes (long lines keep head and tail). */
export function packExcerpt(
  view: LogView,
  candidates: readonly Candidate[],
  budget: number,
  lineCap: (line: number) => number,
): PackedExcerpt {
  const maxLine = Math.max(16, budget - MARKER_COST * 3);
  const renderer = createLineRenderer(view, (i) => Math.min(lineCap(i), maxLine));
  const ordered = [...candidates].sort((a, b) => b.priority - a.priority || a.start - b.start);
  /** Line → priority of the candidate that brought it in; `member` mirrors its keys for speed. */
  const chosen = new Map<number, number>();
  const member = new Uint8Array(view.count + 1);
  const keptBlocks = new Map<number, number>();
  let used = 0;
  let trimmedOne = false;

  const folds = createFoldIndex(view);
  const take = (lines: Iterable<number>, priority: number, block: number | undefined): void => {
    for (const l of lines) {
      if (member[l]) continue;
      member[l] = 1;
      chosen.set(l, priority);
      folds.add(l);
    }
    if (block !== undefined) keptBlocks.set(block, priority);
  };
  /** Estimated cost of showing the fresh lines of [start, end): folded repeats cost a marker per run. */
  const costOf = (start: number, end: number): { cost: number; fresh: number } => {
    let cost = 0;
    let fresh = 0;
    let folding = false;
    const inRange = new Set<string>();
    for (let i = start; i < end; i++) {
      if (member[i]) {
        folding = false;
        continue;
      }
      fresh++;
      const size = renderer.size(i);
      if (size > 0 && folds.folds(i, inRange)) {
        if (!folding) cost += FOLD_COST;
        folding = true;
        continue;
      }
      folding = false;
      cost += size;
      if (size > 0 && end - start > 1) inRange.add(view.text(i));
    }
    return { cost, fresh };
  };

  let pending = ordered;
  const pass = (): void => {
    const left: Candidate[] = [];
    for (const c of pending) {
      if (used >= budget - 8) {
        left.push(c);
        continue;
      }
      const { cost, fresh } = costOf(c.start, c.end);
      if (fresh === 0) {
        if (c.block !== undefined && !keptBlocks.has(c.block)) keptBlocks.set(c.block, c.priority);
        continue;
      }
      const adjacent = (c.start > 0 && member[c.start - 1] === 1) || member[c.end] === 1;
      const total = cost + (adjacent ? 0 : MARKER_COST);
      if (used + total <= budget) {
        const range: number[] = [];
        for (let i = c.start; i < c.end; i++) range.push(i);
        take(range, c.priority, c.block);
        used += total;
      } else if (c.trimmable && !trimmedOne && budget - used > MARKER_COST * 4) {
        trimmedOne = true;
        const trimmed = trimCandidate(c, renderer.size, budget - used);
        take(trimmed.lines, c.priority, c.block);
        used += trimmed.cost;
      } else left.push(c);
    }
    pending = left;
  };

  const renderNow = (): { text: string; omittedLines: number; shown: number[]; bytes: number } => {
    const lines = [...chosen.keys()].sort((a, b) => a - b);
    const r = renderExcerpt(view, lines, renderer.line);
    return { ...r, bytes: utf8Length(r.text) };
  };

  pass();
  let result = renderNow();
  // The estimate is conservative (folds and collapsed blanks save bytes): use the slack.
  for (let round = 0; round < 2 && pending.length > 0 && budget - result.bytes > 200; round++) {
    const before = chosen.size;
    used = result.bytes;
    pass();
    if (chosen.size === before) break;
    result = renderNow();
  }
  // Exact check: drop the lowest priorities until the rendering fits.
  while (result.bytes > budget && chosen.size > 0) {
    let lowest = Infinity;
    for (const p of chosen.values()) if (p < lowest) lowest = p;
    for (const [l, p] of chosen) {
      if (p !== lowest) continue;
      chosen.delete(l);
      member[l] = 0;
    }
    folds.clear();
    for (const l of chosen.keys()) folds.add(l);
    for (const [b, p] of keptBlocks) if (p === lowest) keptBlocks.delete(b);
    result = renderNow();
  }
  let text = result.text;
  if (result.bytes > budget) {
    // Only reachable with absurdly small budgets: cut at a line boundary.
    text = utf8Head(text, budget);
    const nl = text.lastIndexOf("\n");
    if (nl > 0) text = text.slice(0, nl);
  }
  return {
    text,
    bytes: utf8Length(text),
    lines: result.shown,
    omittedLines: result.omittedLines,
    blocksKept: keptBlocks.size,
  };
}
