import { type TestCounts, type TestReport, type TestStatus } from "./test-report.ts";

/** jest: `Tests:       1 failed, 1 skipped, 3 passed, 5 total`. */
const JEST = /^Tests:\s+(.*\d+ total)\s*$/;
/** vitest: `Tests  1 failed | 2 passed | 1 skipped (4)`. */
const VITEST = /^Tests\s+(.*?)\s+\(\d+\)\s*$/;

/**
 * jest's and vitest's summaries: the counts, and the failures by name (jest's
 * `● suite › test`, vitest's `FAIL  file > suite > test`). Neither lists
 * passing tests by default.
 */
export function parseJestSummary(output: string): TestReport | null {
  const lines = output.split("\n").map((l) => l.trim());
  const jest = lines.map((l) => JEST.exec(l)).findLast((m) => m !== null);
  if (jest) {
    const tests = new Map<string, TestStatus>();
    for (const line of lines) {
      const m = /^● (.+ › .+|[^›]+)$/.exec(line);
      if (m && !/^● Test suite failed to run/.test(line)) tests.set((m[1] ?? "").replaceAll(" › ", " > ").trim(), "failed");
    }
    return { runner: "jest", tests, listsAll: false, counts: counts(jest[1] ?? "", /,/) };
  }
  const vitest = lines.map((l) => VITEST.exec(l)).findLast((m) => m !== null);
  if (vitest && /\d+ (?:passed|failed|skipped|todo)/.test(vitest[1] ?? "")) {
    const tests = new Map<string, TestStatus>();
    for (const line of lines) {
      // `FAIL  file > suite > test` in the failures; `× suite > test 3ms` in a file's listing.
      const failed = /^FAIL\s+\S+ > (.+)$/.exec(line) ?? /^×\s+(.+?)(?:\s+\d+m?s)?$/.exec(line);
      if (failed) tests.set((failed[1] ?? "").trim(), "failed");
    }
    return { runner: "vitest", tests, listsAll: false, counts: counts(vitest[1] ?? "", /\|/) };
  }
  return null;
}

function counts(text: string, separator: RegExp): TestCounts {
  const found = { passed: 0, failed: 0, skipped: 0 };
  for (const part of text.split(separator)) {
    const m = /(\d+)\s+(passed|failed|skipped|todo|pending|expected fail)/.exec(part.trim());
    if (!m) continue;
    const n = Number(m[1]);
    if (m[2] === "passed") found.passed += n;
    else if (m[2] === "failed") found.failed += n;
    else found.skipped += n;
  }
  return found;
}
