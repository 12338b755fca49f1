/**
 * Benchmark of the log distiller on the LogChunks dataset.
 *
 *   npm run bench:distill -- [--dataset DIR] [--out DIR] [--budget 8000]
 *
 * Distils every log into OUT/<id>.txt, writes the two baselines (last BUDGET
 * bytes, last 500 lines) next to it, scores all three with the dataset's own
 * scorer and prints a table. The last line of output is one JSON object with
 * the headline figures, for machines.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { distillLog } from "../src/evidence/distill-log.ts";
import { readLabels, readLog, tailBytes, tailLines } from "./lib/logchunks.ts";
import { runScorer, type ScoreSummary } from "./lib/run-scorer.ts";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const { values } = parseArgs({
  options: {
    dataset: { type: "string", default: resolve(repoRoot, "../shared/datasets/logchunks") },
    out: { type: "string", default: resolve(repoRoot, "bench/out/distill") },
    budget: { type: "string", default: "8000" },
  },
});
const dataset = resolve(values.dataset);
const out = resolve(values.out);
const budget = Number(values.budget);
if (!Number.isInteger(budget) || budget <= 0) {
  console.error(`--budget must be a positive integer, got ${values.budget}`);
  process.exit(2);
}

for (const file of ["labels.jsonl", "score.mjs"]) {
  if (!existsSync(join(dataset, file))) {
    console.error(`${join(dataset, file)} not found: --dataset must be a LogChunks folder (labels.jsonl, logs/, score.mjs).`);
    process.exit(2);
  }
}

const TAIL_LINES = 500;
const dirs = {
  distill: out,
  tailBytes: join(out, "baselines", `tail-bytes-${budget}`),
  tailLines: join(out, "baselines", `tail-lines-${TAIL_LINES}`),
};
// Files are overwritten, never deleted: the scorer reads only <id>.txt of the dataset's ids.
for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });

interface Sizes {
  total: number;
  max: number;
}
const sizes = { distill: { total: 0, max: 0 }, tailBytes: { total: 0, max: 0 }, tailLines: { total: 0, max: 0 } };
const record = (s: Sizes, text: string): void => {
  const n = Buffer.byteLength(text);
  s.total += n;
  s.max = Math.max(s.max, n);
};

const rows = readLabels(dataset);
const logs = rows.map((row) => ({ row, raw: readLog(dataset, row) }));

// Excerpts and baselines (this pass also warms the JIT up).
let inputBytes = 0;
for (const { row, raw } of logs) {
  inputBytes += Buffer.byteLength(raw);
  const { excerpt } = distillLog(raw, { budgetBytes: budget });
  writeFileSync(join(dirs.distill, `${row.id}.txt`), excerpt);
  record(sizes.distill, excerpt);
  const tb = tailBytes(raw, budget);
  writeFileSync(join(dirs.tailBytes, `${row.id}.txt`), tb);
  record(sizes.tailBytes, tb);
  const tl = tailLines(raw, TAIL_LINES);
  writeFileSync(join(dirs.tailLines, `${row.id}.txt`), tl);
  record(sizes.tailLines, tl);
}

// Throughput: the best of a few timed passes over every log (wall clock,
// distillation only); the best pass is the one least disturbed by other work
// on the machine.
const TIMED_PASSES = 5;
let elapsedMs = Infinity;
let slowestMs = 0;
for (let pass = 0; pass < TIMED_PASSES; pass++) {
  let total = 0;
  for (const { raw } of logs) {
    const t0 = performance.now();
    distillLog(raw, { budgetBytes: budget });
    const dt = performance.now() - t0;
    total += dt;
    slowestMs = Math.max(slowestMs, dt);
  }
  elapsedMs = Math.min(elapsedMs, total);
}
const throughput = inputBytes / 1e6 / (elapsedMs / 1000);

const scores: Record<keyof typeof dirs, ScoreSummary> = {
  distill: runScorer(dataset, dirs.distill, budget),
  tailBytes: runScorer(dataset, dirs.tailBytes, budget),
  tailLines: runScorer(dataset, dirs.tailLines, budget),
};

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const n = logs.length;
const table = [
  ["", "recall", "whole chunk", "mean bytes", "max bytes", "over budget", "MB/s"],
  ["distiller", pct(scores.distill.line_recall), pct(scores.distill.whole_chunk), String(Math.round(sizes.distill.total / n)), String(sizes.distill.max), String(scores.distill.over_budget), throughput.toFixed(1)],
  [`last ${budget} bytes`, pct(scores.tailBytes.line_recall), pct(scores.tailBytes.whole_chunk), String(Math.round(sizes.tailBytes.total / n)), String(sizes.tailBytes.max), String(scores.tailBytes.over_budget), "-"],
  [`last ${TAIL_LINES} lines`, pct(scores.tailLines.line_recall), pct(scores.tailLines.whole_chunk), String(Math.round(sizes.tailLines.total / n)), String(sizes.tailLines.max), String(scores.tailLines.over_budget), "-"],
];
const widths = table[0]?.map((_, c) => Math.max(...table.map((r) => (r[c] ?? "").length))) ?? [];
console.log(`LogChunks: ${n} logs, ${(inputBytes / 1e6).toFixed(1)} MB, budget ${budget} bytes, excerpts in ${out}`);
for (const r of table) console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join("  "));
console.log(`distiller: ${elapsedMs.toFixed(0)} ms for all logs (best of ${TIMED_PASSES} passes), slowest log ${slowestMs.toFixed(1)} ms`);
console.log(
  JSON.stringify({
    logs: n,
    budget,
    recall: scores.distill.line_recall,
    chunk_kept: scores.distill.whole_chunk,
    mean_bytes: Math.round(sizes.distill.total / n),
    max_bytes: sizes.distill.max,
    over_budget: scores.distill.over_budget,
    throughput_mb_s: Number(throughput.toFixed(1)),
    baseline_tail_bytes_recall: scores.tailBytes.line_recall,
    baseline_tail_bytes_chunk_kept: scores.tailBytes.whole_chunk,
    baseline_tail_lines_recall: scores.tailLines.line_recall,
    baseline_tail_lines_chunk_kept: scores.tailLines.whole_chunk,
  }),
);
