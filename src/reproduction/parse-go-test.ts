import { countTests, type TestReport, type TestStatus } from "./test-report.ts";

const RESULT = /^\s*--- (PASS|FAIL|SKIP): (\S+)/;

/**
 * `go test` output: `--- PASS|FAIL|SKIP: TestName/sub` lines. With `-v`
 * (`=== RUN` lines) every test is listed and counted; without it only
 * failures are, and there are no counts.
 */
export function parseGoTest(output: string): TestReport | null {
  const tests = new Map<string, TestStatus>();
  let verbose = false;
  for (const line of output.split("\n")) {
    if (/^=== RUN\s/.test(line)) verbose = true;
    const m = RESULT.exec(line);
    if (m) tests.set((m[2] ?? "").replaceAll("/", " > "), m[1] === "PASS" ? "passed" : m[1] === "FAIL" ? "failed" : "skipped");
  }
  if (tests.size === 0) return null;
  // A parent test with subtests is not a test of its own.
  const parents = new Set([...tests.keys()].flatMap((name) => name.split(" > ").slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join(" > "))));
  for (const parent of parents) tests.delete(parent);
  return { runner: "go test", tests, listsAll: verbose, counts: verbose ? countTests(tests) : null };
}
