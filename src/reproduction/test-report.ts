/** A test runner's own report, read from what the test command printed. */
export type TestStatus = "passed" | "failed" | "skipped";

export interface TestCounts {
  readonly passed: number;
  /** Failed, errored or cancelled. */
  readonly failed: number;
  /** Skipped, todo, expected failures: not run, or not checked. */
  readonly skipped: number;
}

export interface TestReport {
  /** Which format it was read from, for people: `TAP`, `node --test`, `pytest`, `jest`, `vitest`, `go test`. */
  readonly runner: string;
  /** The tests by name (nested ones as `suite > test`), as far as the runner lists them. */
  readonly tests: ReadonlyMap<string, TestStatus>;
  /** Does the runner list every test (passing ones too), or only the failures? */
  readonly listsAll: boolean;
  /** From the runner's summary, or counted from a full listing; null when neither exists. */
  readonly counts: TestCounts | null;
}

export function executed(counts: TestCounts): number {
  return counts.passed + counts.failed;
}

/** Counts from a listing, when the runner printed no summary. */
export function countTests(tests: ReadonlyMap<string, TestStatus>): TestCounts {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const status of tests.values()) counts[status]++;
  return counts;
}

/** `name` under its parents, as the reports show it. */
export function testPath(parents: readonly string[], name: string): string {
  return [...parents, name].join(" > ");
}
