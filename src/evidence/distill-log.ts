/**
 * Distils a CI log into the few hundred lines that explain its failure.
 *
 * Pure and linear: index lines (one scan), find the job's steps and the failed
 * one, scan for failure signatures, grow error blocks, rank and pack them into
 * a byte budget. See docs/distillation.md for the measured recall.
 */
import { chooseFocus, stepLimits, type FocusRegion } from "./choose-focus.ts";
import { createLogView } from "./clean-log.ts";
import { resolveRules, type RuleName } from "./distill-rules.ts";
import { extractReferences, type LogReference } from "./extract-references.ts";
import { SIGNATURES, isCoverageLine, isPassingLine, warningSectionLines } from "./error-signatures.ts";
import { findAnchors } from "./find-anchors.ts";
import { buildBlocks, type ErrorBlock } from "./find-error-blocks.ts";
import { packExcerpt } from "./pack-excerpt.ts";
import { rankCandidates } from "./rank-candidates.ts";
import { repeatsRecentLine } from "./render-excerpt.ts";
import { splitSteps } from "./split-steps.ts";
import { utf8Length } from "./utf8.ts";

export type { LogReference } from "./extract-references.ts";
export type { RuleName } from "./distill-rules.ts";

export interface DistillOptions {
  /** Maximum size of the excerpt in UTF-8 bytes (default 8000). */
  readonly budgetBytes?: number;
  /** Name of the step that failed, from the API (`Run npm test`, `Test`). */
  readonly failedStep?: string;
  /** Paths of the repository's files: references to anything else are dropped. */
  readonly repoFiles?: ReadonlySet<string>;
  /**
   * Heuristics to switch off, by name (all are on by default; see
   * `distill-rules.ts`). For measuring what each rule contributes, not for production.
   */
  readonly rules?: Partial<Record<RuleName, boolean>>;
}

export interface DistillStats {
  readonly inputBytes: number;
  readonly inputLines: number;
  readonly excerptBytes: number;
  readonly excerptLines: number;
  /** Lines of the log left out of the excerpt. */
  readonly omittedLines: number;
  /** The step the excerpt focuses on, when the log has steps and one failed. */
  readonly focusStep: string | undefined;
  /** Steps the log reports as failed (non-zero exit). */
  readonly failedSteps: number;
  /** Error blocks found / kept in the excerpt. */
  readonly blocksFound: number;
  readonly blocksKept: number;
  /**
   * The toolchain of the strongest error block in the failed step (`pytest`,
   * `maven`, `compiler`, ...; `generic` when only generic words matched).
   */
  readonly toolchain: string | undefined;
}

export interface DistilledLog {
  readonly excerpt: string;
  readonly references: LogReference[];
  readonly stats: DistillStats;
}

export const DEFAULT_BUDGET_BYTES = 8000;

/** Classify at most this many trigger lines per focus region (the first and last halves). */
const MAX_CLASSIFIED_FOCUS = 6000;
/** Vague trigger words are looked for only this near the start / the end of the focus. */
const WEAK_SCAN_HEAD_BYTES = 4 << 10;
const WEAK_SCAN_TAIL_BYTES = 32 << 10;
/** Lines of error blocks may take this many bytes; context lines (tails, halos) less. */
const BLOCK_LINE_CAP_BYTES = 3000;
const CONTEXT_LINE_CAP_BYTES = 400;
/** How far before a failed step's exit to look for warnings sections. */
const WARNINGS_SCAN_LINES = 600;

const TOOLCHAIN_OF = new Map(SIGNATURES.map((s) => [s.id, s.toolchain]));

/** The toolchain of the strongest block in the focus (in the whole log when none is), the first on ties. */
function detectToolchain(blocks: readonly ErrorBlock[], focus: readonly FocusRegion[]): string | undefined {
  let best: ErrorBlock | undefined;
  let bestInFocus = false;
  for (const b of blocks) {
    const inFocus = focus.some((f) => b.anchor >= f.start && b.anchor < f.end);
    if (!best || (inFocus && !bestInFocus) || (inFocus === bestInFocus && b.weight > best.weight)) {
      best = b;
      bestInFocus = inFocus;
    }
  }
  return best ? TOOLCHAIN_OF.get(best.signature) : undefined;
}

/** How many bytes line `line` may take (long lines keep their head and tail). */
function lineCap(blocks: readonly ErrorBlock[], line: number): number {
  let lo = 0;
  let hi = blocks.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const b = blocks[mid];
    if (!b) break;
    if (line < b.start) hi = mid - 1;
    else if (line >= b.end) lo = mid + 1;
    else return BLOCK_LINE_CAP_BYTES;
  }
  return CONTEXT_LINE_CAP_BYTES;
}

/** Distils `raw` into an excerpt of at most `budgetBytes` UTF-8 bytes. */
export function distillLog(raw: string, options: DistillOptions = {}): DistilledLog {
  return distillLogTraced(raw, options).result;
}

/** What the distiller saw on the way: for measuring where recall is lost (benchmarks, tests). */
export interface DistillTrace {
  readonly result: DistilledLog;
  readonly focus: readonly FocusRegion[];
  readonly blocks: readonly ErrorBlock[];
  /** Lines shown in the excerpt. */
  readonly shown: readonly number[];
}

/** `distillLog`, with the focus regions and error blocks it worked from. */
export function distillLogTraced(raw: string, options: DistillOptions = {}): DistillTrace {
  const budget = Math.max(0, Math.floor(options.budgetBytes ?? DEFAULT_BUDGET_BYTES));
  const view = createLogView(raw);
  const rules = resolveRules(options.rules);
  const steps = splitSteps(view, rules);
  const focus = chooseFocus(view, steps, options.failedStep, rules);

  // Only the focus is scanned: lines outside it never explained a failure
  // on the repositories measured (see docs/distillation.md).
  const anchors = findAnchors(
    view,
    focus.map((f) => ({
      range: { from: f.start, to: f.end },
      edgeBytes: Infinity,
      weakHeadBytes: rules.weakTriggers ? WEAK_SCAN_HEAD_BYTES : 0,
      weakTailBytes: rules.weakTriggers ? WEAK_SCAN_TAIL_BYTES : 0,
      maxClassified: MAX_CLASSIFIED_FOCUS,
    })),
    rules,
  );
  const blocks = buildBlocks(view, anchors, stepLimits(steps, view.count), rules);
  // Report noise: passing tests, coverage rows and warnings sections printed
  // between the failure and the failed step's exit.
  const warnings = new Set<number>();
  for (const f of rules.reportNoise ? focus : []) {
    const exit = f.exit ?? f.end;
    const lines: number[] = [];
    for (let l = Math.max(f.start, exit - WARNINGS_SCAN_LINES); l < exit; l++) lines.push(l);
    for (const l of warningSectionLines(lines, (i) => view.text(i))) warnings.add(l);
  }
  const candidates = rankCandidates({
    blocks,
    focus,
    lineCount: view.count,
    budget,
    lineBytes: (l) => (repeatsRecentLine(view, l) ? 0 : view.text(l).length + 1),
    isPassing: (l) => {
      const t = view.text(l);
      return isPassingLine(t) || (rules.reportNoise && (isCoverageLine(t) || warnings.has(l)));
    },
    rules,
  });

  const packed =
    budget > 0
      ? packExcerpt(view, candidates, budget, (l) => lineCap(blocks, l))
      : { text: "", bytes: 0, lines: [], omittedLines: view.count, blocksKept: 0 };
  const shownText = packed.lines.map((l) => view.text(l));

  const result: DistilledLog = {
    excerpt: packed.text,
    references: extractReferences(shownText, options.repoFiles),
    stats: {
      inputBytes: utf8Length(raw),
      inputLines: raw === "" ? 0 : view.count,
      excerptBytes: packed.bytes,
      excerptLines: packed.text === "" ? 0 : packed.text.split("\n").length,
      omittedLines: packed.omittedLines,
      focusStep: focus[0]?.title,
      failedSteps: steps.filter((s) => s.exitCode !== undefined && s.exitCode !== 0).length,
      blocksFound: blocks.length,
      blocksKept: packed.blocksKept,
      toolchain: detectToolchain(blocks, focus),
    },
  };
  return { result, focus, blocks, shown: packed.lines };
}
