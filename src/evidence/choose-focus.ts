/**
 * Where a log failed: the regions the distiller focuses on (the failed steps),
 * and the bounds of the steps, which error blocks never cross.
 */
import type { LogView } from "./clean-log.ts";
import { DEFAULT_RULES, type RuleSet } from "./distill-rules.ts";
import type { LineRange } from "./line-range.ts";
import type { LogStep } from "./split-steps.ts";

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

/** Travis phases that run after the build failed or finished: never where it died. */
const AFTER_PHASES = /^(?:after_|before_cache|cache|deploy)/;

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
 * non-zero; else the steps with a GitHub `##[error]` annotation; else the last
 * step when it alone reports no exit (the job died in it); else the whole log.
 */
export function chooseFocus(
  view: LogView,
  steps: readonly LogStep[],
  failedStep: string | undefined,
  rules: RuleSet = DEFAULT_RULES,
): FocusRegion[] {
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
  // Steps report their exits, except the last one: the job died in it.
  const last = steps.at(-1);
  const died =
    rules.stepOutcome &&
    last &&
    last.exitCode === undefined &&
    !AFTER_PHASES.test(last.phase ?? "") &&
    steps.some((s) => s.exitCode !== undefined)
      ? [last]
      : [];
  const failed = steps.filter((s) => s.exitCode !== undefined && s.exitCode !== 0);
  if (failed.length > 0) return [...failed, ...died].map(toFocus);
  const annotated = steps.filter((s) => s.errorLine !== undefined);
  if (annotated.length > 0) return annotated.map(toFocus);
  if (died.length > 0) return died.map(toFocus);
  return [{ start: 0, end: view.count, header: undefined, exit: undefined, title: undefined }];
}

/** Bounds of the step (or the stretch between steps) that holds `line`. */
export function stepLimits(steps: readonly LogStep[], count: number): (line: number) => LineRange {
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
