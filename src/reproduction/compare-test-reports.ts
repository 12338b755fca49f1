import { executed, type TestCounts, type TestReport } from "./test-report.ts";

/** What the runner's reports before and after a change prove. */
export interface TestProof {
  readonly runner: string;
  /** Tests that failed before and pass now, by name. */
  readonly fixed: readonly string[];
  /** Tests that did not exist before and pass now (a test written for an issue). */
  readonly added: readonly string[];
  readonly before: TestCounts | null;
  readonly after: TestCounts | null;
  /** Does the after report list every test, or only the failures (then `fixed` means "no longer failing")? */
  readonly listsAll: boolean;
  /** Why the change is rejected, each a sentence; empty when the reports prove it. */
  readonly problems: readonly string[];
}

const SHOWN = 5;

/**
 * Compares the runner's report of the failing command before and after a
 * change: the tests that failed before must run and pass now; no fewer
 * tests may run; no test may be newly skipped. Null when there was no report
 * before (nothing to prove against). `afterComplete`: the after output was
 * not truncated, so a test missing from a full listing did not run.
 */
export function compareTestReports(before: TestReport | null, after: TestReport | null, afterComplete: boolean): TestProof | null {
  if (!before) return null;
  if (!after) {
    const ran = before.counts ? `${executed(before.counts)} tests ran before` : "it was there before";
    return { runner: before.runner, fixed: [], added: [], before: before.counts, after: null, listsAll: false, problems: [`the test runner's report (${before.runner}) is gone after the change (${ran}), so nothing proves the tests ran`] };
  }
  const problems: string[] = [];
  const fixed: string[] = [];
  const notFixed: string[] = [];
  const failedBefore = [...before.tests].filter(([, s]) => s === "failed").map(([name]) => name);
  const noFailuresAfter = (after.counts?.failed ?? [...after.tests.values()].filter((s) => s === "failed").length) === 0;
  for (const name of failedBefore) {
    const now = after.tests.get(name);
    if (now === "passed") fixed.push(name);
    else if (now === "failed" || now === "skipped") notFixed.push(`\`${name}\` is ${now === "failed" ? "still failing" : "skipped"}`);
    else if (after.listsAll && afterComplete) notFixed.push(`\`${name}\` no longer runs`);
    else if (!after.listsAll && noFailuresAfter) fixed.push(name); // failures-only listing: it is not among them
  }
  if (notFixed.length > 0) problems.push(`a test that failed before does not pass now: ${list(notFixed)}`);

  const newlySkipped = [...after.tests].filter(([name, s]) => s === "skipped" && before.tests.has(name) && before.tests.get(name) !== "skipped").map(([name]) => `\`${name}\``);
  if (newlySkipped.length > 0) problems.push(`tests are newly skipped: ${list(newlySkipped)}`);
  else if (before.counts && after.counts && after.counts.skipped > before.counts.skipped) {
    problems.push(`more tests are skipped (${after.counts.skipped}, before ${before.counts.skipped})`);
  }
  if (before.counts && after.counts && executed(after.counts) < executed(before.counts)) {
    problems.push(`fewer tests ran (${executed(after.counts)}, before ${executed(before.counts)})`);
  }
  const added = after.listsAll && before.listsAll ? [...after.tests].filter(([name, s]) => s === "passed" && !before.tests.has(name)).map(([name]) => name) : [];
  return { runner: after.runner, fixed, added, before: before.counts, after: after.counts, listsAll: after.listsAll, problems };
}

function list(items: readonly string[]): string {
  return items.length <= SHOWN ? items.join(", ") : `${items.slice(0, SHOWN).join(", ")} and ${items.length - SHOWN} more`;
}
