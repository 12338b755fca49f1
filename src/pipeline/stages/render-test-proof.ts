import type { TestCounts } from "../../reproduction/test-report.ts";
import type { TestProof } from "../../reproduction/compare-test-reports.ts";

/** Most test names a PR body lists. */
const MAX_NAMES = 20;

/**
 * The "Tests" part of a PR's verification: which tests failed before and pass
 * now, by name, from the runner's own report, and how many ran; or, without a
 * report, that the exit code is the only proof. Test changes are called out.
 */
export function renderTestProof(tests: TestProof | undefined, editedTests: readonly string[]): string {
  const lines = ["#### Tests"];
  if (!tests) {
    lines.push("No test report Patchwright can read (TAP, node --test, pytest, jest, vitest, go test) was found in the output: the proof is the command's exit code only.");
  } else {
    const how = tests.listsAll ? "" : ` (${tests.runner} lists failures only: these are no longer among them)`;
    lines.push(tests.fixed.length > 0 ? `Failed before, pass now${how}, from the ${tests.runner} report:` : `No test failed before by name in the ${tests.runner} report.`);
    lines.push(...names(tests.fixed));
    if (tests.added.length > 0) lines.push("", "New tests, passing:", ...names(tests.added));
    lines.push("", `Executed: ${counts(tests.before)} before, ${counts(tests.after)} after.`);
  }
  if (editedTests.length > 0) {
    lines.push("", `**This change edits tests:** ${editedTests.slice(0, MAX_NAMES).map(code).join(", ")}${editedTests.length > MAX_NAMES ? ` and ${editedTests.length - MAX_NAMES} more` : ""}. Review them with care.`);
  }
  return lines.join("\n");
}

function names(list: readonly string[]): string[] {
  const shown = list.slice(0, MAX_NAMES).map((name) => `- ${code(name)}`);
  if (list.length > MAX_NAMES) shown.push(`- … and ${list.length - MAX_NAMES} more`);
  return shown;
}

function counts(c: TestCounts | null): string {
  return c ? `${c.passed + c.failed} (${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped)` : "unknown";
}

/** A name from the repository's output as an inline code span it cannot break out of. */
function code(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim().slice(0, 200);
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = "`".repeat(longest + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
  return `${ticks}${pad}${flat}${pad}${ticks}`;
}
