/**
 * Turns the log's structure (focus steps) and its error blocks into ranked
 * candidates for the packer. The order encodes the policy:
 *
 * 1. the failed step's header and exit lines;
 * 2. error blocks in the failed step: the one closest to the failing exit and
 *    the first one lead, then by signature weight, earlier first; repeats of
 *    an error already seen come after every distinct one;
 * 3. the failed step's last lines before the exit (what a human reads first);
 * 4. context around the chosen blocks;
 * 5. error blocks elsewhere, then the end of the log.
 */
import type { Candidate } from "./pack-excerpt.ts";
import type { ErrorBlock } from "./find-error-blocks.ts";

export interface FocusRegion {
  /** First line (the step header when there is one). */
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
  /** Header line of the step, when the log has steps. */
  readonly header: number | undefined;
  /** The line reporting the failing exit, when known. */
  readonly exit: number | undefined;
  readonly title: string | undefined;
}

const P = {
  header: 1_000_000,
  focusBlock: 500_000,
  otherBlock: 100_000,
  weakFocusBlock: 250_000,
  perWeight: 10_000,
  nearestExit: 30_000,
  firstInFocus: 20_000,
  secondaryFocus: -40_000,
  repeat: -300_000,
  tail: 700_000,
  tailPerByte: 80,
  passingLine: -400_000,
  core: -1,
  head: 300_000,
  headStep: 20_000,
  haloAfter: -250_000,
  haloAfterStep: 5_000,
  haloBefore: -250_000,
  haloBeforeStep: 8_000,
  logTail: 50_000,
  logTailStep: 1_000,
} as const;

const TAIL_LINES = 400;
const TAIL_BYTES = 16_000;
const HEAD_LINES = 4;
const HALO_AFTER = 25;
const HALO_BEFORE = 6;
const CORE_BEFORE = 1;
const CORE_AFTER = 4;
const LOG_TAIL_LINES = 40;
const MAX_RANKED_BLOCKS = 300;
/** Blocks below this weight (summaries, exit lines, vague words) rank after the failed step's tail. */
const STRONG_WEIGHT = 5;

export function rankCandidates(
  blocks: readonly ErrorBlock[],
  focus: readonly FocusRegion[],
  lineCount: number,
  lineBytes: (line: number) => number,
  isPassing: (line: number) => boolean,
): Candidate[] {
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
    for (let d = 1; d <= TAIL_LINES && bytes < TAIL_BYTES && exit - d > (f.header ?? f.start - 1); d++) {
      bytes += lineBytes(exit - d);
      const passing = isPassing(exit - d) ? P.passingLine : 0;
      out.push({ start: exit - d, end: exit - d + 1, priority: P.tail + bonus + passing - bytes * P.tailPerByte, atomic: false });
    }
    if (f.header !== undefined) {
      for (let d = 1; d <= HEAD_LINES && f.header + d < exit; d++) {
        out.push({ start: f.header + d, end: f.header + d + 1, priority: P.head + bonus - d * P.headStep, atomic: false });
      }
    }
  });

  // Which block is nearest the exit, and which comes first, in each focus region.
  const nearest = new Set<number>();
  const first = new Set<number>();
  focus.forEach((f) => {
    const exit = f.exit ?? f.end;
    let best = -1;
    let firstIdx = -1;
    blocks.forEach((b, i) => {
      if (b.anchor < f.start || b.anchor >= exit) return;
      if (firstIdx < 0) firstIdx = i;
      const bestBlock = blocks[best];
      if (best < 0 || !bestBlock || b.weight >= Math.min(bestBlock.weight, 5)) best = i;
    });
    if (best >= 0) nearest.add(best);
    if (firstIdx >= 0) first.add(firstIdx);
  });

  const seenKeys = new Set<string>();
  const ranked = blocks.map((b, i) => {
    const k = inFocus(b.anchor);
    let p = (k >= 0 ? (b.weight >= STRONG_WEIGHT ? P.focusBlock : P.weakFocusBlock) : P.otherBlock) + b.weight * P.perWeight;
    if (k > 0) p += P.secondaryFocus;
    if (nearest.has(i)) p += P.nearestExit;
    if (first.has(i)) p += P.firstInFocus;
    if (seenKeys.has(b.key)) p += P.repeat;
    seenKeys.add(b.key);
    // Earlier first among equals.
    return { b, i, p: p - i / (blocks.length + 1) };
  });
  // No budget holds more than a few hundred blocks: rank only those.
  ranked.sort((x, y) => y.p - x.p);
  for (const { b, i, p } of ranked.slice(0, MAX_RANKED_BLOCKS)) {
    out.push({ start: b.start, end: b.end, priority: p, atomic: true, trimmable: nearest.has(i) || first.has(i), block: i });
    // When the whole block does not fit, its anchor and the lines around it may.
    const coreStart = Math.max(b.start, b.anchor - CORE_BEFORE);
    const coreEnd = Math.min(b.end, b.anchor + CORE_AFTER + 1);
    if (coreEnd - coreStart < b.end - b.start) {
      out.push({ start: coreStart, end: coreEnd, priority: p + P.core, atomic: true, block: i });
    }
    for (let d = 1; d <= HALO_AFTER && b.end - 1 + d < lineCount; d++) {
      const l = b.end - 1 + d;
      const passing = isPassing(l) ? P.passingLine : 0;
      out.push({ start: l, end: l + 1, priority: p + passing + P.haloAfter - d * P.haloAfterStep, atomic: false });
    }
    for (let d = 1; d <= HALO_BEFORE && b.start - d >= 0; d++) {
      const l = b.start - d;
      const passing = isPassing(l) ? P.passingLine : 0;
      out.push({ start: l, end: l + 1, priority: p + passing + P.haloBefore - d * P.haloBeforeStep, atomic: false });
    }
  }

  for (let d = 1; d <= LOG_TAIL_LINES && lineCount - d >= 0; d++) {
    const l = lineCount - d;
    out.push({ start: l, end: l + 1, priority: P.logTail - d * P.logTailStep, atomic: false });
  }
  return out;
}
