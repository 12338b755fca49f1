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
import { isMarkerLine } from "./split-steps.ts";
import { shortenLine, utf8Head, utf8Length } from "./utf8.ts";

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
const MAX_GAP_SCAN = 200;

const omitted = (n: number): string => `[... ${n} line${n === 1 ? "" : "s"} omitted ...]`;
const repeated = (n: number): string => `[... previous line repeated ${n} more time${n === 1 ? "" : "s"} ...]`;

interface Renderer {
  line(i: number): string | null;
  size(i: number): number;
}

function createRenderer(view: LogView, lineCap: number): Renderer {
  const sizes = new Map<number, number>();
  const line = (i: number): string | null => {
    const t = view.text(i);
    if (isMarkerLine(t)) return null;
    return shortenLine(t.trimEnd(), lineCap);
  };
  return {
    line,
    size(i) {
      let s = sizes.get(i);
      if (s === undefined) {
        const t = line(i);
        s = t === null ? 0 : utf8Length(t) + 1;
        sizes.set(i, s);
      }
      return s;
    },
  };
}

/** Lines in (a, b) a reader would miss: not blank, not CI markers. Approximate for long gaps. */
function gapSize(view: LogView, a: number, b: number): number {
  const n = b - a - 1;
  if (n <= 0) return 0;
  if (n > MAX_GAP_SCAN) return n;
  let count = 0;
  for (let j = a + 1; j < b; j++) {
    const t = view.text(j);
    if (t.trim() !== "" && !isMarkerLine(t)) count++;
  }
  return count;
}

/** Renders selected lines (sorted) in log order. */
export function renderExcerpt(
  view: LogView,
  lines: readonly number[],
  render: (i: number) => string | null,
): { text: string; omittedLines: number; shown: number[] } {
  const out: string[] = [];
  const shown: number[] = [];
  let omittedLines = 0;
  let prev = -1;
  let pendingBlank = false;
  let last: string | undefined;
  let repeats = 0;
  const flush = (): void => {
    if (repeats === 0 || last === undefined) return;
    const marker = repeated(repeats);
    if (repeats * (utf8Length(last) + 1) <= utf8Length(marker) + 1) for (let k = 0; k < repeats; k++) out.push(last);
    else out.push(marker);
    repeats = 0;
  };
  for (const i of lines) {
    const t = render(i);
    if (t === null) continue;
    const gap = gapSize(view, prev, i);
    if (gap > 0) {
      flush();
      pendingBlank = false;
      out.push(omitted(gap));
      omittedLines += gap;
      last = undefined;
    }
    prev = i;
    if (t.trim() === "") {
      pendingBlank = out.length > 0;
      continue;
    }
    if (t === last) {
      repeats++;
      pendingBlank = false;
      continue;
    }
    flush();
    if (pendingBlank) out.push("");
    pendingBlank = false;
    out.push(t);
    shown.push(i);
    last = t;
  }
  flush();
  const tail = gapSize(view, prev, view.count);
  if (tail > 0 && out.length > 0) {
    out.push(omitted(tail));
    omittedLines += tail;
  }
  return { text: out.join("\n"), omittedLines, shown };
}

/** Shortens one candidate to head + tail lines costing at most `room` bytes. */
function trimCandidate(c: Candidate, size: (i: number) => number, room: number): number[] {
  const head: number[] = [];
  const tail: number[] = [];
  let used = MARKER_COST;
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
  return [...head, ...tail];
}

/** Selects and renders the excerpt. `lineCap` bounds any single line, in bytes. */
export function packExcerpt(view: LogView, candidates: readonly Candidate[], budget: number, lineCap: number): PackedExcerpt {
  const renderer = createRenderer(view, Math.max(16, Math.min(lineCap, budget - MARKER_COST * 3)));
  const ordered = [...candidates].sort((a, b) => b.priority - a.priority || a.start - b.start);
  /** Line → priority of the candidate that brought it in. */
  const chosen = new Map<number, number>();
  const keptBlocks = new Map<number, number>();
  let used = 0;
  let trimmedOne = false;

  const take = (lines: Iterable<number>, priority: number, block: number | undefined): void => {
    for (const l of lines) if (!chosen.has(l)) chosen.set(l, priority);
    if (block !== undefined) keptBlocks.set(block, priority);
  };

  const pass = (): void => {
    for (const c of ordered) {
      if (used >= budget - 8) break;
      let cost = 0;
      let fresh = 0;
      for (let i = c.start; i < c.end; i++) {
        if (chosen.has(i)) continue;
        cost += renderer.size(i);
        fresh++;
      }
      if (fresh === 0) {
        if (c.block !== undefined && !keptBlocks.has(c.block)) keptBlocks.set(c.block, c.priority);
        continue;
      }
      const adjacent = chosen.has(c.start - 1) || chosen.has(c.end);
      const total = cost + (adjacent ? 0 : MARKER_COST);
      if (used + total <= budget) {
        const range: number[] = [];
        for (let i = c.start; i < c.end; i++) range.push(i);
        take(range, c.priority, c.block);
        used += total;
      } else if (c.trimmable && !trimmedOne && budget - used > MARKER_COST * 4) {
        trimmedOne = true;
        const lines = trimCandidate(c, renderer.size, Math.floor((budget - used) * 0.7));
        take(lines, c.priority, c.block);
        used += lines.reduce((s, l) => s + renderer.size(l), MARKER_COST * 2);
      } else if (!c.atomic) {
        // Divisible candidates (context, tails) take what fits, nearest lines first.
        continue;
      }
    }
  };

  const renderNow = (): { text: string; omittedLines: number; shown: number[]; bytes: number } => {
    const lines = [...chosen.keys()].sort((a, b) => a - b);
    const r = renderExcerpt(view, lines, renderer.line);
    return { ...r, bytes: utf8Length(r.text) };
  };

  pass();
  let result = renderNow();
  // The estimate is conservative (folds and collapsed blanks save bytes): use the slack.
  for (let round = 0; round < 2 && budget - result.bytes > 200; round++) {
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
    for (const [l, p] of chosen) if (p === lowest) chosen.delete(l);
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
