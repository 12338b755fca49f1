import { countTests, testPath, type TestReport, type TestStatus } from "./test-report.ts";

const RESULT = /^(\s*)(not ok|ok)\b(?:\s+\d+)?(?:\s*-)?\s*(.*)$/;
const DIRECTIVE = /\s+#\s*(SKIP|TODO)\b.*$/i;
const SUMMARY = /^#\s*(tests|pass|fail|skip|skipped|todo|cancelled)\s+(\d+)\s*$/;

/**
 * TAP (node --test's default off a terminal before Node 23, tape, tap,
 * prove): every test point with its status, nested subtests by indentation
 * (four spaces, `# Subtest:` names the parents), the `# tests`/`# pass`/…
 * summary when there is one. Only leaves are tests (a suite is not).
 */
export function parseTap(output: string): TestReport | null {
  const lines = output.split("\n");
  if (!lines.some((l) => /^\s*TAP version \d+/.test(l) || /^\s*1\.\.\d+\s*$/.test(l))) return null;
  const tests = new Map<string, TestStatus>();
  const subtests: string[] = []; // by depth
  const hasChildren: boolean[] = [];
  const summary = new Map<string, number>();
  let yaml: string | undefined; // the indentation of an open YAML block
  for (const line of lines) {
    if (yaml !== undefined) {
      if (line.startsWith(yaml) && line.trim() === "...") yaml = undefined;
      continue;
    }
    const sub = /^(\s*)# Subtest: (.*)$/.exec(line);
    if (sub) {
      subtests[depth(sub[1] ?? "")] = (sub[2] ?? "").trim();
      continue;
    }
    const total = SUMMARY.exec(line);
    if (total) {
      summary.set(total[1] === "skip" ? "skipped" : (total[1] ?? ""), Number(total[2]));
      continue;
    }
    const result = RESULT.exec(line);
    if (!result) {
      if (line.trim() === "---") yaml = line.slice(0, line.indexOf("---"));
      continue;
    }
    const d = depth(result[1] ?? "");
    const directive = DIRECTIVE.exec(result[3] ?? "");
    const name = (result[3] ?? "").replace(DIRECTIVE, "").trim() || subtests[d] || "(unnamed)";
    const leaf = hasChildren[d] !== true;
    hasChildren[d] = false;
    if (d > 0) hasChildren[d - 1] = true;
    if (!leaf) continue;
    const status: TestStatus = directive ? "skipped" : result[2] === "ok" ? "passed" : "failed";
    tests.set(testPath(subtests.slice(0, d), name), status);
  }
  if (tests.size === 0 && summary.size === 0) return null;
  return { runner: "TAP", tests, listsAll: true, counts: summary.has("tests") ? fromSummary(summary, countTests(tests).skipped) : countTests(tests) };
}

function depth(indent: string): number {
  return Math.floor(indent.replace(/\t/g, "    ").length / 4);
}

/** The summary's counts; tape prints no skip count, so the listing's stands in. */
function fromSummary(summary: ReadonlyMap<string, number>, listedSkips: number): { passed: number; failed: number; skipped: number } {
  const get = (key: string) => summary.get(key) ?? 0;
  const skipped = summary.has("skipped") || summary.has("todo") ? get("skipped") + get("todo") : listedSkips;
  const failed = get("fail") + get("cancelled");
  const passed = summary.has("pass") ? get("pass") : Math.max(0, get("tests") - failed - skipped);
  return { passed, failed, skipped };
}
