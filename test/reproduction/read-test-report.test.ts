import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readTestReport } from "../../src/reproduction/read-test-report.ts";

/** Real runners' output (node's from Node 20 and 24 on one project; the others as the runners print them). */
const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, "fixtures/test-reports", name), "utf8");

describe("readTestReport", () => {
  it.each<[string, string, { runner: string; tests: Record<string, string>; listsAll: boolean; counts: { passed: number; failed: number; skipped: number } | null }]>([
    [
      "node --test's TAP (Node 20): nested suites by indentation, SKIP and TODO directives, YAML blocks skipped",
      "node-tap.txt",
      { runner: "TAP", tests: { adds: "failed", "math > mul": "passed", "math > div": "skipped", "math > inner > neg": "failed", later: "skipped" }, listsAll: true, counts: { passed: 1, failed: 2, skipped: 2 } },
    ],
    [
      "node --test's spec reporter (Node 24): suites by ▶, the failing-tests recap not counted twice",
      "node-spec.txt",
      { runner: "node --test", tests: { adds: "failed", "math > mul": "passed", "math > div": "skipped", "math > inner > neg": "failed", later: "skipped" }, listsAll: true, counts: { passed: 1, failed: 2, skipped: 2 } },
    ],
    ["tape's TAP without a skip count", "tape.txt", { runner: "TAP", tests: { adds: "passed", subtracts: "failed", multiplies: "skipped" }, listsAll: true, counts: { passed: 1, failed: 1, skipped: 1 } }],
    [
      "pytest -v: every node id, the final counts",
      "pytest-verbose.txt",
      { runner: "pytest", tests: { "tests/test_calc.py::test_add": "failed", "tests/test_calc.py::test_sub": "passed", "tests/test_calc.py::test_div[0-1]": "skipped", "tests/test_calc.py::TestMul::test_mul": "passed" }, listsAll: true, counts: { passed: 2, failed: 1, skipped: 1 } },
    ],
    ["pytest -q: failures only", "pytest-quiet.txt", { runner: "pytest", tests: { "tests/test_calc.py::test_add": "failed" }, listsAll: false, counts: { passed: 2, failed: 1, skipped: 1 } }],
    ["jest: failures by `●`, the Tests: line", "jest.txt", { runner: "jest", tests: { "add > adds": "failed" }, listsAll: false, counts: { passed: 1, failed: 1, skipped: 1 } }],
    ["vitest: failures by FAIL, the Tests line", "vitest.txt", { runner: "vitest", tests: { "add > adds": "failed" }, listsAll: false, counts: { passed: 1, failed: 1, skipped: 1 } }],
    ["go test -v: subtests, a parent is not a test", "go-test-v.txt", { runner: "go test", tests: { TestAdd: "failed", "TestTable > zero": "passed", "TestTable > neg": "skipped" }, listsAll: true, counts: { passed: 1, failed: 1, skipped: 1 } }],
    ["go test: failures only, no counts", "go-test.txt", { runner: "go test", tests: { TestAdd: "failed" }, listsAll: false, counts: null }],
  ])("%s", (_name, file, expected) => {
    const report = readTestReport(fixture(file));
    expect(report && { ...report, tests: Object.fromEntries(report.tests) }).toEqual(expected);
  });

  it("reads through colours and npm's preamble", () => {
    const report = readTestReport(`\n> calc@1.0.0 test\n> node --test\n\n\u001b[31m✖ adds \u001b[90m(1.2ms)\u001b[39m\n\u001b[34mℹ tests 1\u001b[39m\n\u001b[34mℹ pass 0\u001b[39m\n\u001b[34mℹ fail 1\u001b[39m\n`);
    expect(report && Object.fromEntries(report.tests)).toEqual({ adds: "failed" });
  });

  it.each([
    ["no runner at all", "src/a.ts(3,1): error TS2304: Cannot find name 'x'.\n"],
    ["eslint", "/work/calc/src/a.js\n  1:7  error  'x' is assigned a value but never used  no-unused-vars\n\n✖ 1 problem (1 error, 0 warnings)\n"],
    ["an empty output", ""],
  ])("finds no report in %s: nothing is invented", (_name, output) => {
    expect(readTestReport(output)).toBeNull();
  });
});
