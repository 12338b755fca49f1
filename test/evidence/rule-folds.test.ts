/**
 * Cross-validation of the distiller's rules by repository (bench/lib): folds
 * never share a repository, are the same for the same seed, and a rule that
 * helps one repository only earns no held-out credit.
 */
import { describe, expect, it } from "vitest";
import { assignFolds } from "../../bench/lib/repo-folds.ts";
import { judgeRules, makeFolds, selectRules, type LogResult } from "../../bench/lib/rule-ablation.ts";
import { goldLines, scoreExcerpt, type LogChunksRow } from "../../bench/lib/logchunks.ts";
import type { RuleName } from "../../src/evidence/distill-rules.ts";

const repos = Array.from({ length: 43 }, (_, i) => `owner-${i % 7}/repo-${i}`);
/** Ten logs per repository, in an order that mixes them. */
const logRepos = Array.from({ length: 430 }, (_, i) => repos[(i * 17) % repos.length] ?? "");

describe("assignFolds", () => {
  it("puts every repository in exactly one fold, folds near-equal in size", () => {
    const folds = assignFolds(logRepos, 5, 1);
    expect([...folds.keys()].sort()).toEqual([...repos].sort());
    const sizes = [0, 1, 2, 3, 4].map((f) => [...folds.values()].filter((v) => v === f).length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it("is deterministic for a seed, whatever the input order, and differs across seeds", () => {
    const a = assignFolds(logRepos, 5, 7);
    const b = assignFolds([...logRepos].reverse(), 5, 7);
    expect([...b].sort()).toEqual([...a].sort());
    const c = assignFolds(logRepos, 5, 8);
    expect([...c].sort()).not.toEqual([...a].sort());
  });

  it("refuses fewer than two folds or more folds than repositories", () => {
    expect(() => assignFolds(logRepos, 1, 1)).toThrow(RangeError);
    expect(() => assignFolds(["a/x", "b/y"], 3, 1)).toThrow(RangeError);
  });
});

describe("makeFolds", () => {
  it("holds each log out exactly once and never trains on a held-out repository", () => {
    const folds = makeFolds(logRepos, 5, 3);
    const heldOut = folds.flatMap((f) => f.test).sort((x, y) => x - y);
    expect(heldOut).toEqual(logRepos.map((_, i) => i));
    for (const f of folds) {
      const trained = new Set(f.train.map((i) => logRepos[i]));
      for (const i of f.test) expect(trained.has(logRepos[i] ?? "")).toBe(false);
      expect(f.train.length + f.test.length).toBe(logRepos.length);
      expect(new Set(f.test.map((i) => logRepos[i]))).toEqual(new Set(f.repos));
    }
  });
});

describe("rule selection and held-out credit", () => {
  // Four repositories of two logs each, two folds: {a, b} and {c, d} (fixed below).
  const logs = ["a", "a", "b", "b", "c", "c", "d", "d"];
  const folds = [
    { fold: 0, repos: ["a", "b"], train: [4, 5, 6, 7], test: [0, 1, 2, 3] },
    { fold: 1, repos: ["c", "d"], train: [0, 1, 2, 3], test: [4, 5, 6, 7] },
  ];
  const hit: LogResult = { recall: 1, whole: true, bytes: 100 };
  const miss: LogResult = { recall: 0.5, whole: false, bytes: 100 };
  const full: LogResult[] = logs.map(() => hit);
  // Without weakTriggers, repository a loses; without leadingBlocks, a and c lose; logTail changes nothing.
  const without = new Map<RuleName, LogResult[]>([
    ["weakTriggers", logs.map((r) => (r === "a" ? miss : hit))],
    ["leadingBlocks", logs.map((r) => (r === "a" || r === "c" ? miss : hit))],
    ["logTail", logs.map(() => hit)],
  ]);

  it("keeps only the rules whose removal costs the training repositories", () => {
    const s = selectRules(full, without, folds[1]?.train ?? []);
    expect(s.kept.sort()).toEqual(["leadingBlocks", "weakTriggers"]);
    expect(s.dropped).toEqual(["logTail"]);
    expect(s.trainDelta.get("logTail")).toBe(0);
  });

  it("credits a rule on held-out repositories only when it helps more than the ones it was chosen on", () => {
    const selections = folds.map((f) => selectRules(full, without, f.train));
    const verdicts = new Map(judgeRules(full, without, folds, selections, logs).map((v) => [v.rule, v]));
    // Helps only a: chosen when a trains (fold 1), where the held-out c and d do not need it.
    expect(verdicts.get("weakTriggers")?.heldOut).toBe(0);
    expect(verdicts.get("weakTriggers")?.reposHelped).toEqual(["a"]);
    // Helps a and c: chosen in both folds, and it helps the held-out repository each time.
    expect(verdicts.get("leadingBlocks")?.heldOut).toBeGreaterThan(0);
    expect(verdicts.get("leadingBlocks")?.foldsChosen).toBe(2);
    expect(verdicts.get("logTail")?.heldOut).toBe(0);
  });
});

describe("in-process scoring", () => {
  it("matches the scorer's normalisation: ANSI codes, angle brackets and spacing do not count", () => {
    const raw = ["setup", "\x1b[31mError:\x1b[0m  <expected>  3", "  at f (a.js:1:2)", "done"].join("\n");
    const row = { gold_lines: [[1, 2]] } as unknown as LogChunksRow;
    const gold = goldLines(raw, row);
    expect(gold).toEqual(["Error: expected 3", "at f (a.js:1:2)"]);
    expect(scoreExcerpt(gold, "Error: expected 3\n  at f (a.js:1:2)")).toEqual({ recall: 1, whole: true });
    expect(scoreExcerpt(gold, "Error: expected 3")).toEqual({ recall: 0.5, whole: false });
  });
});
