/** Runs the dataset's own scorer (`score.mjs --json`) on a folder of excerpts. */
import { execFileSync } from "node:child_process";
import { join } from "node:path";

export interface ScoreSummary {
  readonly logs: number;
  readonly missing_excerpts: number;
  readonly line_recall: number;
  readonly whole_chunk: number;
  readonly median_bytes: number;
  readonly max_bytes: number;
  readonly over_budget: number | null;
}

export function runScorer(dataset: string, excerpts: string, budget: number): ScoreSummary {
  const out = execFileSync(
    process.execPath,
    [join(dataset, "score.mjs"), "--dataset", dataset, "--excerpts", excerpts, "--budget", String(budget), "--json"],
    { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 },
  );
  const last = out.trim().split("\n").at(-1) ?? "{}";
  return JSON.parse(last) as ScoreSummary;
}
