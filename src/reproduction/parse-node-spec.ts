import { testPath, type TestReport, type TestStatus } from "./test-report.ts";

const LINE = /^(\s*)([✔✖﹣▶])\s+(.*?)(?:\s+\([\d.]+m?s\))?(\s+#\s*(?:SKIP|TODO)\b.*)?$/u;
const SUMMARY = /^ℹ\s+(tests|pass|fail|cancelled|skipped|todo)\s+(\d+)\s*$/u;

/**
 * node --test's `spec` reporter (the default from Node 23): `✔`/`✖`/`﹣`
 * per test, `▶` opening a suite, two spaces per level, the `ℹ tests …`
 * summary. The "failing tests" recap after the summary repeats failures and
 * is not read.
 */
export function parseNodeSpec(output: string): TestReport | null {
  const lines = output.split("\n");
  const summary = new Map<string, number>();
  for (const line of lines) {
    const m = SUMMARY.exec(line.trim());
    if (m) summary.set(m[1] ?? "", Number(m[2]));
  }
  if (!summary.has("tests") || !summary.has("pass")) return null;
  const tests = new Map<string, TestStatus>();
  const suites: string[] = [];
  const hasChildren: boolean[] = [];
  for (const line of lines) {
    if (/^✖ failing tests:/u.test(line)) break;
    const m = LINE.exec(line);
    if (!m) continue;
    const d = Math.floor((m[1] ?? "").length / 2);
    const name = (m[3] ?? "").trim();
    if (m[2] === "▶") {
      suites[d] = name;
      hasChildren[d] = false;
      continue;
    }
    const leaf = hasChildren[d] !== true;
    hasChildren[d] = false;
    if (d > 0) hasChildren[d - 1] = true;
    if (!leaf) continue;
    const status: TestStatus = m[4] !== undefined || m[2] === "﹣" ? "skipped" : m[2] === "✔" ? "passed" : "failed";
    tests.set(testPath(suites.slice(0, d), name), status);
  }
  const get = (key: string) => summary.get(key) ?? 0;
  return {
    runner: "node --test",
    tests,
    listsAll: true,
    counts: { passed: get("pass"), failed: get("fail") + get("cancelled"), skipped: get("skipped") + get("todo") },
  };
}
