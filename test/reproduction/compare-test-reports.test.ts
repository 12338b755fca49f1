import { describe, expect, it } from "vitest";
import { compareTestReports } from "../../src/reproduction/compare-test-reports.ts";
import { countTests, type TestReport, type TestStatus } from "../../src/reproduction/test-report.ts";

/** A full listing (TAP-like), counted from its tests. */
function listing(tests: Record<string, TestStatus>): TestReport {
  const map = new Map(Object.entries(tests));
  return { runner: "TAP", tests: map, listsAll: true, counts: countTests(map) };
}

/** A failures-only report (jest-like) with the summary's counts. */
function summary(failures: string[], counts: { passed: number; failed: number; skipped: number }): TestReport {
  return { runner: "jest", tests: new Map(failures.map((n) => [n, "failed" as const])), listsAll: false, counts };
}

const BEFORE = listing({ adds: "failed", subtracts: "passed" });

describe("compareTestReports", () => {
  it.each<[string, TestReport | null, boolean, { fixed: string[]; problems: string[] }]>([
    ["an honest fix", listing({ adds: "passed", subtracts: "passed" }), true, { fixed: ["adds"], problems: [] }],
    ["the failing test still fails", listing({ adds: "failed", subtracts: "passed" }), true, { fixed: [], problems: ["a test that failed before does not pass now: `adds` is still failing"] }],
    [
      "the failing test deleted",
      listing({ subtracts: "passed" }),
      true,
      { fixed: [], problems: ["a test that failed before does not pass now: `adds` no longer runs", "fewer tests ran (1, before 2)"] },
    ],
    [
      "the failing test skipped",
      listing({ adds: "skipped", subtracts: "passed" }),
      true,
      { fixed: [], problems: ["a test that failed before does not pass now: `adds` is skipped", "tests are newly skipped: `adds`", "fewer tests ran (1, before 2)"] },
    ],
    ["another test skipped", listing({ adds: "passed", subtracts: "skipped" }), true, { fixed: ["adds"], problems: ["tests are newly skipped: `subtracts`", "fewer tests ran (1, before 2)"] }],
    ["the test renamed (it no longer runs under its name)", listing({ "adds two": "passed", subtracts: "passed" }), true, { fixed: [], problems: ["a test that failed before does not pass now: `adds` no longer runs"] }],
    ["a truncated listing missing the name: not proven, not refused", { ...listing({ subtracts: "passed" }), counts: { passed: 2, failed: 0, skipped: 0 } }, false, { fixed: [], problems: [] }],
    ["the report gone (the test command no longer runs tests)", null, true, { fixed: [], problems: ["the test runner's report (TAP) is gone after the change (2 tests ran before), so nothing proves the tests ran"] }],
  ])("%s", (_name, after, complete, expected) => {
    expect(compareTestReports(BEFORE, after, complete)).toMatchObject(expected);
  });

  it("needs a report before to prove anything", () => {
    expect(compareTestReports(null, listing({ adds: "passed" }), true)).toBeNull();
  });

  it("with a failures-only runner, a failing test is fixed when it is no longer among the failures and nothing was skipped or dropped", () => {
    const before = summary(["add > adds"], { passed: 2, failed: 1, skipped: 0 });
    expect(compareTestReports(before, summary([], { passed: 3, failed: 0, skipped: 0 }), true)).toMatchObject({ fixed: ["add > adds"], problems: [], listsAll: false });
    expect(compareTestReports(before, summary([], { passed: 2, failed: 0, skipped: 1 }), true)).toMatchObject({ problems: ["more tests are skipped (1, before 0)", "fewer tests ran (2, before 3)"] });
  });

  it("names tests an issue's fix added", () => {
    expect(compareTestReports(listing({ subtracts: "passed" }), listing({ subtracts: "passed", "adds large numbers": "passed" }), true)).toMatchObject({ fixed: [], added: ["adds large numbers"], problems: [] });
  });
});
