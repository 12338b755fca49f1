import { stripControlCharacters } from "../security/strip-control-characters.ts";
import { parseGoTest } from "./parse-go-test.ts";
import { parseJestSummary } from "./parse-jest-summary.ts";
import { parseNodeSpec } from "./parse-node-spec.ts";
import { parsePytest } from "./parse-pytest.ts";
import { parseTap } from "./parse-tap.ts";
import type { TestReport } from "./test-report.ts";

/** Most specific first: a pytest or jest run may print a stray `1..N`. */
const PARSERS: readonly ((output: string) => TestReport | null)[] = [parseNodeSpec, parsePytest, parseJestSummary, parseGoTest, parseTap];

/**
 * The test runner's own report in a test command's output, when there is one
 * Patchwright can read (TAP, node --test, pytest, jest, vitest, go test);
 * null otherwise: then only the exit code proves anything, and the reports say so.
 */
export function readTestReport(output: string): TestReport | null {
  const text = stripControlCharacters(output);
  for (const parse of PARSERS) {
    const report = parse(text);
    if (report) return report;
  }
  return null;
}
