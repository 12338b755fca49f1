/**
 * Benchmark of the log distiller on the LogChunks dataset.
 *
 *   npm run bench:distill -- [--dataset DIR] [--out DIR] [--budget 8000]
 *                            [--folds N [--seed S] [--repeats R]] [--outside DIR] [--passes 5]
 *
 * Distils every log into OUT/<id>.txt, writes the two baselines (last BUDGET
 * bytes, last 500 lines) next to it, scores all three with the dataset's own
 * scorer and prints a table, then recall per kind of log (language, detected
 * toolchain, log shape).
 *
 * `--folds N` cross-validates the distiller's rules by repository (see
 * lib/rule-ablation.ts): N repository-disjoint folds (seeded), rules chosen on
 * the training repositories by ablation, scored on the held-out ones; it prints
 * in-sample figures next to the held-out mean, one row per fold and one per rule.
 * `--repeats R` repeats the whole cross-validation with seeds S … S+R-1 (other
 * deals of repositories into folds) and reports the mean over them, so that no
 * figure rests on one lucky deal. Held-out figures are given two ways: the mean
 * of the folds' means (the usual cross-validation figure) and pooled, every log
 * counted once as in the in-sample figure.
 * `--outside DIR` also scores a LogChunks folder of other repositories, or a
 * checkout of CiDiff (github.com/labri-progress/cidiff), whose breakage logs
 * are labelled by their error lines (see lib/cidiff-breakages.ts).
 *
 * Throughput is the median of `--passes` timed passes (the machine is shared).
 * The last line of output is one JSON object with the headline figures, for machines.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { RULE_NAMES, type RuleName } from "../src/evidence/distill-rules.ts";
import { loadLog, runLogs, timeLogs, type LoadedLog, type LogRun, type Rules } from "./lib/distill-runs.ts";
import { isCidiffCheckout, loadCidiffBreakages } from "./lib/cidiff-breakages.ts";
import { formatKindTable, kindRows } from "./lib/kind-table.ts";
import { readLabels, readLog, scoreExcerpt, tailBytes, tailLines } from "./lib/logchunks.ts";
import { positiveInt } from "./lib/positive-int.ts";
import { judgeRules, makeFolds, selectRules, summarise, type LogResult, type Summary } from "./lib/rule-ablation.ts";
import { runScorer, type ScoreSummary } from "./lib/run-scorer.ts";
import { formatTable, pct, points } from "./lib/text-table.ts";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const { values } = parseArgs({
  options: {
    dataset: { type: "string", default: resolve(repoRoot, "../shared/datasets/logchunks") },
    out: { type: "string", default: resolve(repoRoot, "bench/out/distill") },
    budget: { type: "string", default: "8000" },
    folds: { type: "string" },
    seed: { type: "string", default: "1" },
    repeats: { type: "string", default: "1" },
    outside: { type: "string" },
    passes: { type: "string", default: "5" },
  },
});
const dataset = resolve(values.dataset);
const out = resolve(values.out);
const budget = positiveInt("budget", values.budget);
const foldCount = values.folds !== undefined ? positiveInt("folds", values.folds) : undefined;
const seed = positiveInt("seed", values.seed);
const repeats = positiveInt("repeats", values.repeats);
const passes = positiveInt("passes", values.passes);
const outside = values.outside !== undefined ? resolve(values.outside) : undefined;

for (const dir of outside && !isCidiffCheckout(outside) ? [dataset, outside] : [dataset]) {
  for (const file of ["labels.jsonl", "score.mjs"]) {
    if (!existsSync(join(dir, file))) {
      console.error(`${join(dir, file)} not found: --dataset must be a LogChunks folder (labels.jsonl, logs/, score.mjs); --outside one too, or a CiDiff checkout.`);
      process.exit(2);
    }
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

const loadAll = (dir: string): LoadedLog[] => readLabels(dir).map((row) => loadLog(row, readLog(dir, row)));
const logs = loadAll(dataset);
const inputBytes = logs.reduce((s, l) => s + l.bytes, 0);

// 1. Excerpts with every rule on, and baselines (this pass also warms the JIT up).
const runs = runLogs(logs, budget, undefined);
logs.forEach(({ row, raw }, i) => {
  const excerpt = runs[i]?.excerpt ?? "";
  writeFileSync(join(dirs.distill, `${row.id}.txt`), excerpt);
  record(sizes.distill, excerpt);
  const tb = tailBytes(raw, budget);
  writeFileSync(join(dirs.tailBytes, `${row.id}.txt`), tb);
  record(sizes.tailBytes, tb);
  const tl = tailLines(raw, TAIL_LINES);
  writeFileSync(join(dirs.tailLines, `${row.id}.txt`), tl);
  record(sizes.tailLines, tl);
});

// 2. Throughput: the median of timed passes over every log.
const speed = timeLogs(logs, budget, undefined, passes);

const scores: Record<keyof typeof dirs, ScoreSummary> = {
  distill: runScorer(dataset, dirs.distill, budget),
  tailBytes: runScorer(dataset, dirs.tailBytes, budget),
  tailLines: runScorer(dataset, dirs.tailLines, budget),
};
const all = logs.map((_, i) => i);
const inSample = summarise(runs, all);
// The in-process scorer must agree with score.mjs, or nothing below means anything.
if (Math.abs(inSample.recall - scores.distill.line_recall) > 1e-4 || Math.abs(inSample.chunk - scores.distill.whole_chunk) > 1e-4) {
  console.error(`in-process scoring (${inSample.recall}, ${inSample.chunk}) disagrees with score.mjs (${scores.distill.line_recall}, ${scores.distill.whole_chunk})`);
  process.exit(1);
}

const n = logs.length;
console.log(`LogChunks: ${n} logs, ${new Set(logs.map((l) => l.row.repo)).size} repositories, ${(inputBytes / 1e6).toFixed(1)} MB, budget ${budget} bytes, excerpts in ${out}`);
console.log(
  formatTable([
    ["", "recall", "whole chunk", "mean bytes", "max bytes", "over budget", "MB/s"],
    ["distiller", pct(scores.distill.line_recall), pct(scores.distill.whole_chunk), String(Math.round(sizes.distill.total / n)), String(sizes.distill.max), String(scores.distill.over_budget), speed.median.toFixed(1)],
    [`last ${budget} bytes`, pct(scores.tailBytes.line_recall), pct(scores.tailBytes.whole_chunk), String(Math.round(sizes.tailBytes.total / n)), String(sizes.tailBytes.max), String(scores.tailBytes.over_budget), "-"],
    [`last ${TAIL_LINES} lines`, pct(scores.tailLines.line_recall), pct(scores.tailLines.whole_chunk), String(Math.round(sizes.tailLines.total / n)), String(sizes.tailLines.max), String(scores.tailLines.over_budget), "-"],
  ]),
);
console.log(
  `distiller: median ${speed.median.toFixed(1)} MB/s of ${passes} passes (best ${speed.best.toFixed(1)}), slowest log ${speed.slowestMs.toFixed(1)} ms`,
);

// 3. Cross-validation by repository.
interface CrossValidation {
  readonly seed: number;
  readonly heldOut: LogResult[];
  /** Mean of the folds' means. */
  readonly mean: Summary & { readonly mbS: number };
  /** Every log once, as scored in its held-out fold. */
  readonly pooled: Summary;
}

/** Runs with each rule switched off, once for every deal of folds. */
const ablated = (): Map<RuleName, LogRun[]> => {
  const without = new Map<RuleName, LogRun[]>();
  for (const rule of RULE_NAMES) {
    process.stderr.write(`ablating ${rule}\n`);
    without.set(rule, runLogs(logs, budget, { [rule]: false }));
  }
  return without;
};

const cvs: CrossValidation[] = [];
if (foldCount !== undefined) {
  const without = ablated();
  for (let r = 0; r < repeats; r++) cvs.push(crossValidate(foldCount, seed + r, without, r === 0));
}
const cv = cvs[0];
const meanOver = (pick: (c: CrossValidation) => number): number | undefined =>
  cvs.length > 0 ? cvs.reduce((a, c) => a + pick(c), 0) / cvs.length : undefined;

function crossValidate(k: number, foldSeed: number, without: ReadonlyMap<RuleName, LogRun[]>, detailed: boolean): CrossValidation {
  const repos = logs.map((l) => l.row.repo);
  const folds = makeFolds(repos, k, foldSeed);
  const selections = folds.map((f) => selectRules(runs, without, f.train));
  const heldOut: LogResult[] = [...runs];
  const foldRows: string[][] = [];
  const perFold: (Summary & { mbS: number })[] = [];
  folds.forEach((f, i) => {
    const dropped = selections[i]?.dropped ?? [];
    const rules: Rules = Object.fromEntries(dropped.map((r) => [r, false]));
    const test = f.test.map((t) => logs[t] as LoadedLog);
    const results = runLogs(test, budget, rules);
    results.forEach((r, j) => (heldOut[f.test[j] ?? 0] = r));
    const mbS = detailed ? timeLogs(test, budget, rules, Math.max(3, passes - 2)).median : NaN;
    const s = { ...summarise(heldOut, f.test), mbS };
    perFold.push(s);
    const allRules = summarise(runs, f.test);
    foldRows.push([
      String(f.fold + 1),
      String(f.repos.length),
      String(s.logs),
      String(dropped.length),
      pct(allRules.recall),
      pct(allRules.chunk),
      pct(s.recall),
      pct(s.chunk),
      String(Math.round(s.meanBytes)),
      String(s.maxBytes),
      mbS.toFixed(1),
    ]);
  });
  const mean = {
    logs: n,
    recall: perFold.reduce((a, s) => a + s.recall, 0) / k,
    chunk: perFold.reduce((a, s) => a + s.chunk, 0) / k,
    meanBytes: perFold.reduce((a, s) => a + s.meanBytes, 0) / k,
    maxBytes: Math.max(...perFold.map((s) => s.maxBytes)),
    mbS: perFold.reduce((a, s) => a + s.mbS, 0) / k,
  };
  const pooled = summarise(heldOut, logs.map((_, i) => i));
  if (!detailed) {
    console.log(`\nCross-validation, seed ${foldSeed}: held out ${pct(mean.recall)} / ${pct(mean.chunk)} (mean of ${k} folds), ${pct(pooled.recall)} / ${pct(pooled.chunk)} pooled`);
    return { seed: foldSeed, heldOut, mean, pooled };
  }

  console.log(`\nCross-validation: ${k} repository-disjoint folds (seed ${foldSeed}); rules chosen by ablation on the training repositories`);
  console.log(
    formatTable([
      ["fold", "repos", "logs", "rules dropped", "all rules: recall", "whole", "held out: recall", "whole", "mean bytes", "max bytes", "MB/s"],
      ...foldRows,
    ]),
  );
  for (const [i, f] of folds.entries()) {
    const dropped = selections[i]?.dropped ?? [];
    console.log(`fold ${f.fold + 1}: held out ${f.repos.join(", ")}; dropped ${dropped.length > 0 ? dropped.join(", ") : "none"}`);
  }

  const verdicts = judgeRules(runs, without, folds, selections, repos).sort((a, b) => a.heldOut - b.heldOut);
  console.log("\nRules: what switching each off loses (percentage points; held-out: mean over folds where training chose it, recall + whole)");
  console.log(
    formatTable([
      ["rule", "recall", "whole", "repos helped", "repos hurt", "folds chosen", "held-out", "helped / hurt"],
      ...verdicts.map((v) => [
        v.rule,
        points(v.inSampleRecall),
        points(v.inSampleChunk),
        String(v.reposHelped.length),
        String(v.reposHurt.length),
        `${v.foldsChosen}/${k}`,
        points(v.heldOut),
        `${v.reposHelped.join(" ")} / ${v.reposHurt.join(" ")}`.trim(),
      ]),
    ]),
  );
  const weak = verdicts.filter((v) => v.heldOut <= 1e-9).map((v) => v.rule);
  console.log(`rules with no held-out contribution: ${weak.length > 0 ? weak.join(", ") : "none"}`);
  return { seed: foldSeed, heldOut, mean, pooled };
}

// 4. Recall by kind of log.
const repoOf = (i: number): string => logs[i]?.row.repo ?? "";
const held = cv?.heldOut;
console.log("");
console.log(formatKindTable("toolchain (detected)", kindRows((i) => runs[i]?.toolchain ?? "", repoOf, runs, held)));
console.log("");
console.log(formatKindTable("log shape", kindRows((i) => runs[i]?.shape ?? "", repoOf, runs, held)));
console.log("");
console.log(formatKindTable("language", kindRows((i) => logs[i]?.row.language ?? "", repoOf, runs, held)));

// Where the lost lines went, from the distiller's own trace (see lib/loss-reasons.ts).
const lossGroups = new Map<string, number[]>();
runs.forEach((r, i) => {
  if (r.loss !== "none") lossGroups.set(r.loss, [...(lossGroups.get(r.loss) ?? []), i]);
});
console.log("");
console.log(
  formatTable([
    ["why lines were lost", "logs", "repos", "recall lost", "toolchains (logs)"],
    ...[...lossGroups].map(([reason, idx]) => {
      const kinds = new Map<string, number>();
      for (const i of idx) kinds.set(runs[i]?.toolchain ?? "", (kinds.get(runs[i]?.toolchain ?? "") ?? 0) + 1);
      return [
        reason,
        String(idx.length),
        String(new Set(idx.map(repoOf)).size),
        `${((idx.reduce((a, i) => a + 1 - (runs[i]?.recall ?? 0), 0) / n) * 100).toFixed(2)} pp`,
        [...kinds].sort((a, b) => b[1] - a[1]).map(([k, c]) => `${k} ${c}`).join(", "),
      ];
    }),
  ]),
);

// 5. Repositories outside the development split.
let outsideSummary: Summary | undefined;
let outsideBaselines: [string, Summary][] = [];
if (outside) {
  const other = isCidiffCheckout(outside) ? loadCidiffBreakages(outside) : loadAll(outside);
  const devRepos = new Set(logs.map((l) => l.row.repo));
  const shared = new Set(other.filter((l) => devRepos.has(l.row.repo)).map((l) => l.row.repo));
  if (shared.size > 0) console.log(`\nwarning: ${shared.size} repositories of --outside are also in --dataset: ${[...shared].join(", ")}`);
  const otherRuns = runLogs(other, budget, undefined);
  const every = otherRuns.map((_, i) => i);
  outsideSummary = summarise(otherRuns, every);
  // The same baselines as on the development split, scored the same way.
  const baseline = (cut: (raw: string) => string): Summary =>
    summarise(
      other.map(({ raw, gold }) => {
        const text = cut(raw);
        return { ...scoreExcerpt(gold, text), bytes: Buffer.byteLength(text) };
      }),
      every,
    );
  outsideBaselines = [
    [`outside: last ${budget} bytes`, baseline((raw) => tailBytes(raw, budget))],
    [`outside: last ${TAIL_LINES} lines`, baseline((raw) => tailLines(raw, TAIL_LINES))],
  ];
}

/** The mean of one summary over the repeated cross-validations. */
function meanSummary(all: readonly CrossValidation[], pick: (c: CrossValidation) => Summary): Summary {
  const avg = (f: (s: Summary) => number): number => all.reduce((a, c) => a + f(pick(c)), 0) / all.length;
  return { logs: n, recall: avg((s) => s.recall), chunk: avg((s) => s.chunk), meanBytes: avg((s) => s.meanBytes), maxBytes: Math.max(...all.map((c) => pick(c).maxBytes)) };
}

console.log("\nSummary");
const summaryRow = (name: string, s: Summary | undefined, mbS: number | undefined): string[] =>
  s
    ? [name, String(s.logs), pct(s.recall), pct(s.chunk), String(Math.round(s.meanBytes)), String(s.maxBytes), mbS !== undefined ? mbS.toFixed(1) : "-"]
    : [name, "-", "-", "-", "-", "-", "-"];
console.log(
  formatTable([
    ["", "logs", "recall", "whole chunk", "mean bytes", "max bytes", "MB/s"],
    summaryRow("in sample (all development repositories)", inSample, speed.median),
    ...(cv
      ? [
          summaryRow(`held out (mean of ${foldCount} folds${repeats > 1 ? `, mean of ${repeats} seeds` : ""})`, meanSummary(cvs, (c) => c.mean), cv.mean.mbS),
          summaryRow(`held out (pooled: every log once${repeats > 1 ? `, mean of ${repeats} seeds` : ""})`, meanSummary(cvs, (c) => c.pooled), undefined),
        ]
      : []),
    summaryRow(outside ? "outside the development split" : "outside the development split (no --outside)", outsideSummary, undefined),
    ...outsideBaselines.map(([name, sum]) => summaryRow(name, sum, undefined)),
  ]),
);

const round4 = (x: number | undefined): number | null => (x === undefined ? null : Number(x.toFixed(4)));
console.log(
  JSON.stringify({
    logs: n,
    budget,
    recall: scores.distill.line_recall,
    chunk_kept: scores.distill.whole_chunk,
    mean_bytes: Math.round(sizes.distill.total / n),
    max_bytes: sizes.distill.max,
    over_budget: scores.distill.over_budget,
    throughput_mb_s: Number(speed.median.toFixed(1)),
    throughput_best_mb_s: Number(speed.best.toFixed(1)),
    baseline_tail_bytes_recall: scores.tailBytes.line_recall,
    baseline_tail_bytes_chunk_kept: scores.tailBytes.whole_chunk,
    baseline_tail_lines_recall: scores.tailLines.line_recall,
    baseline_tail_lines_chunk_kept: scores.tailLines.whole_chunk,
    in_sample_line_recall: round4(inSample.recall),
    in_sample_chunk_recall: round4(inSample.chunk),
    folds: foldCount ?? null,
    seed: foldCount !== undefined ? seed : null,
    repeats: foldCount !== undefined ? repeats : null,
    cv_heldout_line_recall: round4(meanOver((c) => c.mean.recall)),
    cv_heldout_chunk_recall: round4(meanOver((c) => c.mean.chunk)),
    cv_heldout_pooled_line_recall: round4(meanOver((c) => c.pooled.recall)),
    cv_heldout_pooled_chunk_recall: round4(meanOver((c) => c.pooled.chunk)),
    cv_heldout_by_seed: cvs.map((c) => ({ seed: c.seed, line_recall: round4(c.mean.recall), chunk_recall: round4(c.mean.chunk) })),
    cv_heldout_mean_bytes: cv ? Math.round(cv.mean.meanBytes) : null,
    cv_heldout_max_bytes: cv ? cv.mean.maxBytes : null,
    cv_heldout_mb_s: cv ? Number(cv.mean.mbS.toFixed(1)) : null,
    outside_logs: outsideSummary?.logs ?? null,
    outside_line_recall: round4(outsideSummary?.recall),
    outside_chunk_recall: round4(outsideSummary?.chunk),
    outside_baseline_tail_bytes_recall: round4(outsideBaselines[0]?.[1].recall),
    outside_baseline_tail_bytes_chunk_kept: round4(outsideBaselines[0]?.[1].chunk),
    timed_passes: passes,
  }),
);
