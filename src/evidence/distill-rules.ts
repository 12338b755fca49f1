/**
 * The distiller's heuristics, by name, so that each can be switched off and
 * measured (`npm run bench:distill -- --folds N` ablates them per fold).
 *
 * Every rule is on by default; `distillLog(raw, { rules: { name: false } })`
 * turns one off. Production callers never pass `rules`: the switches exist to
 * measure what each rule contributes on repositories it was not written for.
 */

/** What each rule does, where it lives. */
export const RULE_DESCRIPTIONS = {
  // Where the job failed (split-steps.ts, choose-focus.ts)
  stepOutcome:
    "a step's outcome as the CI reports it: travis_retry giving up (`failed 3 times`) fails the step; " +
    "the last step that reports no exit is where the job died, unless it is an after_*/cache/deploy phase",
  // Which lines are anchors (find-anchors.ts, error-signatures.ts)
  weakTriggers:
    "vague trigger words (`not found`, `Caused by`, `E   `, ...) are scanned near the start and the end of the failed step; " +
    "a dozen signatures are found only through them",
  // How anchors grow into blocks (find-error-blocks.ts)
  blockExtent:
    "an anchor grows into the whole report: up to two lines above it and the title of an indented anchor, " +
    "single blank lines of double-spaced output, Python tracebacks chained by `During handling of…`, " +
    "a report that has a closing line (a sanitizer's `SUMMARY:`) up to that line",
  // How blocks and lines rank (rank-candidates.ts, distill-log.ts, error-signatures.ts)
  reportNoise:
    "lines that report success are no failure: generic signatures ignore `0 failures` lines, and " +
    "runs of passing tests, coverage table rows and pytest's warnings summary rank low between the failure and the exit",
  leadingBlocks: "the block nearest the failed step's exit and the first block of the strongest kind lead, whole",
  repeats:
    "repeats of an error rank after every distinct error; a report (a traceback, a test section) repeats another " +
    "only when both its first and its last lines match",
  weakBlocksLater: "blocks below weight 5 (summaries, exit lines, vague words) rank after the failed step's tail",
  logTail: "the last lines of the log, after the failed step",
  partialBlocks:
    "a block that does not fit is shown in part rather than dropped: " +
    "the leading block shortened to its head and tail, any other to its anchor and neighbours",
} as const;

export type RuleName = keyof typeof RULE_DESCRIPTIONS;
export type RuleSet = Readonly<Record<RuleName, boolean>>;

export const RULE_NAMES = Object.keys(RULE_DESCRIPTIONS) as RuleName[];

/** Every rule on: what production runs. */
export const DEFAULT_RULES: RuleSet = Object.freeze(
  Object.fromEntries(RULE_NAMES.map((name) => [name, true])) as Record<RuleName, boolean>,
);

/** The default rules with `overrides` applied (unknown names are ignored). */
export function resolveRules(overrides: Partial<Record<RuleName, boolean>> | undefined): RuleSet {
  if (!overrides) return DEFAULT_RULES;
  const out: Record<RuleName, boolean> = { ...DEFAULT_RULES };
  for (const name of RULE_NAMES) {
    const value = overrides[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}
