/**
 * Turns the log's structure (focus steps) and its error blocks into ranked
 * candidates for the packer. The priorities encode the policy, roughly in
 * this order:
 *
 * 1. the failed step's header and exit lines;
 * 2. its last lines before the exit (the first kilobyte or so: most failures
 *    are explained right where the step gave up);
 * 3. its error blocks: the one nearest the exit and the first one of the
 *    strongest kind lead, then by signature weight, distinct errors before
 *    repeats;
 * 4. the rest of its tail, decaying with the distance from the exit;
 * 5. vague blocks (weight < 5), blocks outside the failed step, the log's end.
 *
 * Report noise (runs of passing tests, coverage rows, warnings sections) ranks
 * low in the tail. A priority is a sum of the terms below; only the resulting
 * order matters. Each term can be switched off by name (`distill-rules.ts`)
 * and is kept only when it helps repositories it was not written for
 * (see docs/distillation.md).
 */
import type { Candidate } from "./pack-excerpt.ts";
import type { FocusRegion } from "./choose-focus.ts";
import { DEFAULT_RULES, type RuleSet } from "./distill-rules.ts";
import type { ErrorBlock } from "./find-error-blocks.ts";

const P = {
  header: 1_000_000,
  focusBlock: 500_000,
  weakFocusBlock: 250_000,
  otherBlock: 100_000,
  perWeight: 10_000,
  nearestExit: 30_000,
  firstInFocus: 20_000,
  secondaryFocus: -40_000,
  repeat: -300_000,
  tail: 700_000,
  /** Priority lost by a tail line per budget's worth of bytes between it and the exit. */
  tailPerBudget: 640_000,
  passingLine: -400_000,
  /** The anchor and a few lines around it: just below the whole block, for when it does not fit. */
  core: -1,
  logTail: 50_000,
  logTailStep: 1_000,
} as const;

const TAIL_LINES = 400;
/** Consecutive passing lines that make a run of passing tests. */
const PASSING_RUN = 3;
/** The tail offered, as a multiple of the budget (packing decides how much of it is kept). */
const TAIL_BUDGET_SHARE = 1.5;
const CORE_BEFORE = 1;
const CORE_AFTER = 4;
const ATOMIC_LINES = 40;
const LOG_TAIL_LINES = 40;
const MAX_RANKED_BLOCKS = 150;
/** Blocks below this weight (summaries, exit lines, vague words) never lead and rank after the failed step's tail. */
const STRONG_WEIGHT = 5;

export interface RankInput {
  readonly blocks: readonly ErrorBlock[];
  readonly focus: readonly FocusRegion[];
  readonly lineCount: number;
  /** The excerpt's budget: the tail offered is proportionate. */
  readonly budget: number;
  /** Display size of a line, in bytes (0 when it will fold into a repeat). */
  readonly lineBytes: (line: number) => number;
  /** Whether a line reports a passing test, or is other report noise (coverage rows, warnings sections): it ranks low as context. */
  readonly isPassing: (line: number) => boolean;
  /** The heuristics in force (default: all). */
  readonly rules?: RuleSet;
}

export function rankCandidates({ blocks, focus, lineCount, budget, lineBytes, isPassing, rules = DEFAULT_RULES }: RankInput): Candidate[] {
  const tailBytes = budget * TAIL_BUDGET_SHARE;
  const out: Candidate[] = [];
  const inFocus = (line: number): number => focus.findIndex((f) => line >= f.start && line < f.end);

  focus.forEach((f, k) => {
    const bonus = k === 0 ? 0 : P.secondaryFocus;
    for (const l of [f.header, f.exit]) {
      if (l !== undefined) out.push({ start: l, end: l + 1, priority: P.header + bonus, atomic: true });
    }
    const exit = f.exit ?? f.end;
    // The last lines before the exit, by bytes from the exit: most failures are
    // explained within a couple of kilobytes of where the step gave up.
    let bytes = 0;
    let lines = 0;
    const tail: { line: number; priority: number }[] = [];
    for (let d = 1; lines < TAIL_LINES && d <= 4 * TAIL_LINES && bytes < tailBytes && exit - d > (f.header ?? f.start - 1); d++) {
      const size = lineBytes(exit - d);
      bytes += size;
      if (size > 0) lines++;
      tail.push({ line: exit - d, priority: P.tail + bonus - (bytes / budget) * P.tailPerBudget });
    }
    // Runs of passing tests rank low; a passing line amid other output does
    // not (dropping it would riddle the tail with omission markers).
    const passing = tail.map((t) => isPassing(t.line));
    tail.forEach((t, k) => {
      let run = 1;
      for (let j = k - 1; j >= 0 && passing[j] && run < PASSING_RUN; j--) run++;
      for (let j = k + 1; j < tail.length && passing[j] && run < PASSING_RUN; j++) run++;
      const penalty = rules.reportNoise && passing[k] && run >= PASSING_RUN ? P.passingLine : 0;
      out.push({ start: t.line, end: t.line + 1, priority: t.priority + penalty, atomic: false });
    });
  });

  // In each focus region: the block nearest the exit, and the first block of
  // the strongest kind present (the first test report, not the first log line
  // that happens to say "failed").
  const nearest = new Set<number>();
  const first = new Set<number>();
  focus.forEach((f) => {
    const exit = f.exit ?? f.end;
    const inside = blocks.flatMap((b, i) => (b.anchor >= f.start && b.anchor < exit ? [i] : []));
    let best = -1;
    let strongest = 0;
    for (const i of inside) {
      const b = blocks[i];
      if (!b) continue;
      strongest = Math.max(strongest, b.weight);
      const bestBlock = blocks[best];
      if (!bestBlock || b.weight >= Math.min(bestBlock.weight, STRONG_WEIGHT)) best = i;
    }
    if (rules.leadingBlocks && best >= 0) nearest.add(best);
    const bar = Math.max(STRONG_WEIGHT, strongest - 1);
    const firstIdx = inside.find((i) => (blocks[i]?.weight ?? 0) >= bar);
    if (rules.leadingBlocks && firstIdx !== undefined) first.add(firstIdx);
  });

  const seenKeys = new Set<string>();
  const ranked = blocks.map((b, i) => {
    const k = inFocus(b.anchor);
    const weak = rules.weakBlocksLater && b.weight < STRONG_WEIGHT;
    let p = (k >= 0 ? (weak ? P.weakFocusBlock : P.focusBlock) : P.otherBlock) + b.weight * P.perWeight;
    if (k > 0) p += P.secondaryFocus;
    if (nearest.has(i)) p += P.nearestExit;
    if (first.has(i)) p += P.firstInFocus;
    // Repeats of an error come after every distinct one, except the one nearest the exit.
    if (rules.repeats && seenKeys.has(b.key) && !nearest.has(i)) p += P.repeat;
    seenKeys.add(b.key);
    // Earlier first among equals.
    return { b, i, p: p - i / (blocks.length + 1) };
  });
  // No budget holds more than a few hundred blocks: rank only those.
  ranked.sort((x, y) => y.p - x.p);
  for (const { b, i, p } of ranked.slice(0, MAX_RANKED_BLOCKS)) {
    // The leading blocks are taken whole; the others up to ATOMIC_LINES.
    const leading = nearest.has(i) || first.has(i);
    const atomicEnd = leading ? b.end : Math.min(b.end, Math.max(b.anchor + 1, b.start + ATOMIC_LINES));
    out.push({ start: b.start, end: atomicEnd, priority: p, atomic: true, trimmable: leading && rules.partialBlocks, block: i });
    // When the whole block does not fit, its anchor and the lines around it may.
    const coreStart = Math.max(b.start, b.anchor - CORE_BEFORE);
    const coreEnd = Math.min(atomicEnd, b.anchor + CORE_AFTER + 1);
    if (rules.partialBlocks && coreEnd - coreStart < atomicEnd - b.start) {
      out.push({ start: coreStart, end: coreEnd, priority: p + P.core, atomic: true, block: i });
    }
  }

  for (let d = 1; rules.logTail && d <= LOG_TAIL_LINES && lineCount - d >= 0; d++) {
    const l = lineCount - d;
    out.push({ start: l, end: l + 1, priority: P.logTail - d * P.logTailStep, atomic: false });
  }
  return out;
}
