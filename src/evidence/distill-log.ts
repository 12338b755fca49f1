/**
 * Distils a CI log into the few hundred lines that explain its failure.
 *
 * Pure and linear: index lines (one scan), find the job's steps and the failed
 * one, scan for failure signatures, grow error blocks, rank and pack them into
 * a byte budget. See docs/distillation.md for the measured recall.
 */
import { createLogView, type LogView } from "./clean-log.ts";
import { extractReferences, type LogReference } from "./extract-references.ts";
import { PASSING } from "./error-signatures.ts";
import { buildBlocks, findAnchors, type LineRange } from "./find-error-blocks.ts";
import { packExcerpt } from "./pack-excerpt.ts";
import { rankCandidates, type FocusRegion } from "./rank-candidates.ts";
import { splitSteps, type LogStep } from "./split-steps.ts";
import { utf8Length } from "./utf8.ts";

export type { LogReference } from "./extract-references.ts";

export interface DistillOptions {
  /** Maximum size of the excerpt in UTF-8 bytes (default 8000). */
  readonly budgetBytes?: number;
  /** Name of the step that failed, from the API (`Run npm test`, `Test`). */
  readonly failedStep?: string;
  /** Paths of the repository's files: references to anything else are dropped. */
  readonly repoFiles?: ReadonlySet<string>;
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
}

export interface DistilledLog {
  readonly excerpt: string;
  readonly references: LogReference[];
  readonly stats: DistillStats;
}

export const DEFAULT_BUDGET_BYTES = 8000;

/** Classify at most this many trigger lines per focus region (the first and last halves). */
const MAX_CLASSIFIED_FOCUS = 6000;
const MAX_CLASSIFIED_OTHER = 600;
/** Vague trigger words are looked for only this near the start / the end of the focus. */
const WEAK_SCAN_HEAD_BYTES = 16 << 10;
const WEAK_SCAN_TAIL_BYTES = 128 << 10;
/** Outside the focus, only strong triggers and only this much at each end of each stretch. */
const OTHER_SCAN_BYTES = 256 << 10;
/** No single line takes more than this share of the excerpt. */
const LINE_CAP_BYTES = 3000;


const normaliseTitle = (s: string): string =>
  s
    .toLowerCase()
    .replace(/^run\s+/, "")
    .replace(/\s+/g, " ")
    .trim();

function toFocus(step: LogStep): FocusRegion {
  return {
    start: step.start,
    end: step.exitLine !== undefined ? step.exitLine + 1 : step.end,
    header: step.start,
    exit: step.exitLine,
    title: step.title,
  };
}

/**
 * The regions to focus on: the named failed step; else the steps that exited
 * non-zero; else the steps with a GitHub `##[error]` annotation; else the whole log.
 */
export function chooseFocus(view: LogView, steps: readonly LogStep[], failedStep: string | undefined): FocusRegion[] {
  if (failedStep !== undefined && failedStep.trim() !== "") {
    const want = normaliseTitle(failedStep);
    const exact = steps.find((s) => normaliseTitle(s.title) === want);
    const loose =
      exact ??
      steps.find((s) => {
        const t = normaliseTitle(s.title);
        return t.length >= 3 && want.length >= 3 && (t.startsWith(want) || want.startsWith(t));
      });
    if (loose) return [toFocus(loose)];
  }
  const failed = steps.filter((s) => s.exitCode !== undefined && s.exitCode !== 0);
  if (failed.length > 0) return failed.map(toFocus);
  const annotated = steps.filter((s) => s.errorLine !== undefined);
  if (annotated.length > 0) return annotated.map(toFocus);
  return [{ start: 0, end: view.count, header: undefined, exit: undefined, title: undefined }];
}

/** The ranges outside the focus regions, for a lighter scan. */
function complement(focus: readonly FocusRegion[], count: number): LineRange[] {
  const sorted = [...focus].sort((a, b) => a.start - b.start);
  const out: LineRange[] = [];
  let at = 0;
  for (const f of sorted) {
    if (f.start > at) out.push({ from: at, to: f.start });
    at = Math.max(at, f.end);
  }
  if (at < count) out.push({ from: at, to: count });
  return out;
}

/** Bounds of the step (or the stretch between steps) that holds `line`. */
function stepLimits(steps: readonly LogStep[], count: number): (line: number) => LineRange {
  const starts = steps.map((s) => s.start);
  return (line) => {
    let lo = 0;
    let hi = starts.length - 1;
    let idx = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((starts[mid] ?? 0) <= line) {
        idx = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const step = idx >= 0 ? steps[idx] : undefined;
    if (step && line < step.end) return { from: step.start, to: step.end };
    const next = steps[idx + 1];
    return { from: step ? step.end : 0, to: next ? next.start : count };
  };
}

/** Distils `raw` into an excerpt of at most `budgetBytes` UTF-8 bytes. */
export function distillLog(raw: string, options: DistillOptions = {}): DistilledLog {
  const budget = Math.max(0, Math.floor(options.budgetBytes ?? DEFAULT_BUDGET_BYTES));
  const view = createLogView(raw);
  const steps = splitSteps(view);
  const focus = chooseFocus(view, steps, options.failedStep);

  const anchors = findAnchors(view, [
    ...focus.map((f) => ({
      range: { from: f.start, to: f.end },
      edgeBytes: Infinity,
      weakHeadBytes: WEAK_SCAN_HEAD_BYTES,
      weakTailBytes: WEAK_SCAN_TAIL_BYTES,
      maxClassified: MAX_CLASSIFIED_FOCUS,
    })),
    ...complement(focus, view.count).map((range) => ({
      range,
      edgeBytes: OTHER_SCAN_BYTES,
      weakHeadBytes: 0,
      weakTailBytes: 0,
      maxClassified: MAX_CLASSIFIED_OTHER,
    })),
  ]);
  const blocks = buildBlocks(view, anchors, stepLimits(steps, view.count));
  const candidates = rankCandidates(
    blocks,
    focus,
    view.count,
    (l) => view.text(l).length + 1,
    (l) => PASSING.test(view.text(l)),
  );

  const packed =
    budget > 0
      ? packExcerpt(view, candidates, budget, LINE_CAP_BYTES)
      : { text: "", bytes: 0, lines: [], omittedLines: view.count, blocksKept: 0 };
  const shownText = packed.lines.map((l) => view.text(l));

  return {
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
    },
  };
}
