import { type TestReport, type TestStatus } from "./test-report.ts";

/** `==== 1 failed, 2 passed, 1 skipped in 0.12s ====`, or `-q`'s bare `1 failed, 2 passed in 0.12s`. */
const SUMMARY = /^=*\s*((?:\d+ (?:passed|failed|skipped|xfailed|xpassed|errors?|deselected|warnings?)(?:, )?)+)\s+in\s+[\d.]+s\b/;
/** `-v`: `tests/test_calc.py::test_add PASSED [ 50%]`. */
const VERBOSE = /^(\S+::\S.*?)\s+(PASSED|FAILED|SKIPPED|XFAIL|XPASS|ERROR)\b/;
/** The short summary (on by default for failures and errors): `FAILED tests/test_calc.py::test_add - assert …`. */
const SHORT = /^(FAILED|ERROR|SKIPPED|XFAIL|XPASS)\s+(\S+::[^\s]+(?:\[[^\]]*\])?)/;

const STATUS: Record<string, TestStatus> = { PASSED: "passed", XPASS: "passed", FAILED: "failed", ERROR: "failed", SKIPPED: "skipped", XFAIL: "skipped" };

/** pytest's terminal output: the final counts line, failures by node id, every test with `-v`. */
export function parsePytest(output: string): TestReport | null {
  const lines = output.split("\n");
  let totals: string | undefined;
  for (const line of lines) {
    const m = SUMMARY.exec(line.trim());
    if (m) totals = m[1];
  }
  if (totals === undefined) return null;
  const tests = new Map<string, TestStatus>();
  let verbose = false;
  for (const line of lines) {
    const v = VERBOSE.exec(line);
    if (v) {
      verbose = true;
      tests.set(v[1] ?? "", STATUS[v[2] ?? ""] ?? "failed");
      continue;
    }
    const s = SHORT.exec(line);
    if (s) tests.set(s[2] ?? "", STATUS[s[1] ?? ""] ?? "failed");
  }
  const count = (word: RegExp) => [...totals.matchAll(new RegExp(String.raw`(\d+) (?:${word.source})\b`, "g"))].reduce((n, m) => n + Number(m[1]), 0);
  return {
    runner: "pytest",
    tests,
    listsAll: verbose,
    counts: { passed: count(/passed|xpassed/), failed: count(/failed|errors?/), skipped: count(/skipped|xfailed/) },
  };
}
