/**
 * Cross-validation of the distiller's rules by repository.
 *
 * The rules are code, not fitted numbers, so "training" means choosing which
 * rules to keep: in each fold, a rule is kept when switching it off (all other
 * rules on) lowers the score on the training repositories; the rules kept are
 * then scored together on the held-out repositories. The score of a set of
 * logs is mean line recall + share of whole chunks (both macro over logs).
 *
 * A rule's held-out contribution is, averaged over folds, what switching it
 * off loses on the held-out repositories in the folds whose training
 * repositories chose it (0 in the others). A rule that helps only the
 * repositories it was written for scores 0: in the fold that holds them out,
 * the training repositories do not choose it; in the others, the held-out
 * repositories do not need it.
 */
import type { RuleName } from "../../src/evidence/distill-rules.ts";
import { assignFolds } from "./repo-folds.ts";

export interface LogResult {
  readonly recall: number;
  readonly whole: boolean;
  readonly bytes: number;
}

export interface Summary {
  readonly logs: number;
  readonly recall: number;
  readonly chunk: number;
  readonly meanBytes: number;
  readonly maxBytes: number;
}

export function summarise(results: readonly LogResult[], idx: readonly number[]): Summary {
  let recall = 0;
  let whole = 0;
  let bytes = 0;
  let maxBytes = 0;
  for (const i of idx) {
    const r = results[i];
    if (!r) continue;
    recall += r.recall;
    whole += r.whole ? 1 : 0;
    bytes += r.bytes;
    maxBytes = Math.max(maxBytes, r.bytes);
  }
  const n = Math.max(1, idx.length);
  return { logs: idx.length, recall: recall / n, chunk: whole / n, meanBytes: bytes / n, maxBytes };
}

/** What a selection maximises: mean line recall + share of whole chunks. */
export function objective(results: readonly LogResult[], idx: readonly number[]): number {
  const s = summarise(results, idx);
  return s.recall + s.chunk;
}

export interface Fold {
  readonly fold: number;
  /** Repositories held out. */
  readonly repos: readonly string[];
  /** Indexes of the training / held-out logs. */
  readonly train: readonly number[];
  readonly test: readonly number[];
}

/** Repository-disjoint folds over logs, given each log's repository. */
export function makeFolds(logRepos: readonly string[], k: number, seed: number): Fold[] {
  const foldOf = assignFolds(logRepos, k, seed);
  return Array.from({ length: k }, (_, fold) => {
    const train: number[] = [];
    const test: number[] = [];
    logRepos.forEach((repo, i) => (foldOf.get(repo) === fold ? test : train).push(i));
    const repos = [...foldOf].filter(([, f]) => f === fold).map(([repo]) => repo);
    return { fold, repos, train, test };
  });
}

export interface Selection {
  readonly kept: RuleName[];
  readonly dropped: RuleName[];
  /** Training score lost by switching each rule off (all others on). */
  readonly trainDelta: ReadonlyMap<RuleName, number>;
}

/**
 * Keeps the rules whose removal lowers the training score; a rule that changes
 * nothing, or whose removal helps, is dropped (simpler is better on ties).
 */
export function selectRules(
  full: readonly LogResult[],
  without: ReadonlyMap<RuleName, readonly LogResult[]>,
  train: readonly number[],
): Selection {
  const base = objective(full, train);
  const kept: RuleName[] = [];
  const dropped: RuleName[] = [];
  const trainDelta = new Map<RuleName, number>();
  for (const [rule, results] of without) {
    const delta = base - objective(results, train);
    trainDelta.set(rule, delta);
    // Deltas are sums of per-log shares: ignore float noise.
    (delta > 1e-9 ? kept : dropped).push(rule);
  }
  return { kept, dropped, trainDelta };
}

export interface RuleVerdict {
  readonly rule: RuleName;
  /** Score lost on all logs when the rule is off (line recall, whole chunks). */
  readonly inSampleRecall: number;
  readonly inSampleChunk: number;
  /** Repositories whose score the rule raises / lowers. */
  readonly reposHelped: readonly string[];
  readonly reposHurt: readonly string[];
  /** Folds whose training repositories chose it. */
  readonly foldsChosen: number;
  /** Mean over folds of the held-out score it adds where chosen (see the module comment). */
  readonly heldOut: number;
}

export function judgeRules(
  full: readonly LogResult[],
  without: ReadonlyMap<RuleName, readonly LogResult[]>,
  folds: readonly Fold[],
  selections: readonly Selection[],
  logRepos: readonly string[],
): RuleVerdict[] {
  const all = full.map((_, i) => i);
  const byRepo = new Map<string, number[]>();
  logRepos.forEach((repo, i) => byRepo.set(repo, [...(byRepo.get(repo) ?? []), i]));
  return [...without].map(([rule, results]) => {
    const a = summarise(full, all);
    const b = summarise(results, all);
    const helped: string[] = [];
    const hurt: string[] = [];
    for (const [repo, idx] of byRepo) {
      const d = objective(full, idx) - objective(results, idx);
      if (d > 1e-9) helped.push(repo);
      else if (d < -1e-9) hurt.push(repo);
    }
    let heldOut = 0;
    let chosen = 0;
    folds.forEach((f, k) => {
      if (!selections[k]?.kept.includes(rule)) return;
      chosen++;
      heldOut += objective(full, f.test) - objective(results, f.test);
    });
    return {
      rule,
      inSampleRecall: a.recall - b.recall,
      inSampleChunk: a.chunk - b.chunk,
      reposHelped: helped,
      reposHurt: hurt,
      foldsChosen: chosen,
      heldOut: heldOut / Math.max(1, folds.length),
    };
  });
}
