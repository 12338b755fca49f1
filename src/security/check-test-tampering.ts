import type { ChangeUnderReview } from "./check-diff-policy.ts";
import { patchLines } from "./patch-lines.ts";
import { isTestFile } from "./test-files.ts";
import { isAssertion, isWeakAssertion, markersIn, normalizeAssertion, type Marker } from "./test-markers.ts";

export interface TestChangeRules {
  /**
   * Did the request ask for test changes (`/agent fix` on an issue writes a
   * test first)? Then adding tests and changing what they expect is fine;
   * deleting, skipping, focusing or weakening them never is. A red build's
   * fix, a recipe and a dependency bump change the code, not its tests.
   */
  readonly allowTestChanges: boolean;
}

/**
 * The test-tampering guard: a fix may not delete a test, skip or focus one,
 * or weaken what a test asserts. Reads the change only (the runner's report
 * is compared in stage 8). Returns the violations, each a sentence naming the
 * file and our label of the marker, never the offending line.
 */
export function checkTestTampering(diff: ChangeUnderReview, rules: TestChangeRules): string[] {
  const violations: string[] = [];
  const statusOf = new Map(diff.files.map((f) => [f.path, f.status]));
  for (const file of diff.files) {
    if (file.status === "deleted" && isTestFile(file.path)) violations.push(`\`${file.path}\` is a test file and is deleted; a fix may not delete tests`);
  }
  for (const { path, added, removed } of patchLines(diff.patch)) {
    const test = isTestFile(path);
    // Rust's unit tests live next to the code: `#[ignore]` counts anywhere.
    if (test || path.endsWith(".rs")) violations.push(...newMarkers(path, added, removed, test));
    if (!test || statusOf.get(path) === "deleted") continue;
    violations.push(...weakenedAssertions(path, added, removed, rules));
  }
  return violations;
}

/** Skip and focus markers the change adds (more of a kind than it removes). */
function newMarkers(path: string, added: readonly string[], removed: readonly string[], test: boolean): string[] {
  const count = (lines: readonly string[]) => {
    const counts = new Map<Marker, number>();
    for (const line of lines) for (const marker of markersIn(line)) if (test || marker.label === "#[ignore]") counts.set(marker, (counts.get(marker) ?? 0) + 1);
    return counts;
  };
  const before = count(removed);
  const violations: string[] = [];
  for (const [marker, n] of count(added)) {
    if (n <= (before.get(marker) ?? 0)) continue;
    violations.push(
      marker.kind === "skip"
        ? `\`${path}\` skips tests (\`${marker.label}\`); a fix may not skip a test`
        : `\`${path}\` focuses tests (\`${marker.label}\`), which skips all the others; a fix may not focus a test`,
    );
  }
  return violations;
}

/** Assertions removed, loosened or (when tests may not change) rewritten. */
function weakenedAssertions(path: string, added: readonly string[], removed: readonly string[], rules: TestChangeRules): string[] {
  const gone = removed.filter(isAssertion);
  const come = added.filter(isAssertion);
  if (gone.length > come.length) {
    const n = gone.length - come.length;
    return [`\`${path}\` removes ${n} assertion${n === 1 ? "" : "s"}; a fix may not weaken a test`];
  }
  const weaker = come.filter(isWeakAssertion).length - gone.filter(isWeakAssertion).length;
  if (gone.length > 0 && weaker > 0) return [`\`${path}\` loosens ${weaker} assertion${weaker === 1 ? "" : "s"} (to one that checks almost nothing); a fix may not weaken a test`];
  if (rules.allowTestChanges) return [];
  // Same assertions reformatted are fine; a different expectation is not.
  const remaining = new Map<string, number>();
  for (const line of come) remaining.set(normalizeAssertion(line), (remaining.get(normalizeAssertion(line)) ?? 0) + 1);
  let changed = 0;
  for (const line of gone) {
    const key = normalizeAssertion(line);
    const left = remaining.get(key) ?? 0;
    if (left > 0) remaining.set(key, left - 1);
    else changed++;
  }
  return changed > 0
    ? [`\`${path}\` changes ${changed} assertion${changed === 1 ? "" : "s"}; a fix of a failing build changes the code, not what its tests expect (ask with \`/agent fix\` to change tests)`]
    : [];
}

/** The test files a change touches: always called out in the pull request. */
export function changedTestFiles(diff: Pick<ChangeUnderReview, "files">): string[] {
  return diff.files.filter((f) => isTestFile(f.path)).map((f) => f.path);
}
