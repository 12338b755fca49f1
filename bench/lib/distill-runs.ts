/**
 * Runs the distiller over LogChunks logs with a given rule set and scores each
 * excerpt in process (the scorer's own rules, see `scoreExcerpt`).
 */
import { distillLog, distillLogTraced, type RuleName } from "../../src/evidence/distill-log.ts";
import { goldLines, scoreExcerpt, type LogChunksRow } from "./logchunks.ts";
import { lossReason, type LossReason } from "./loss-reasons.ts";
import type { LogResult } from "./rule-ablation.ts";
import { median } from "./text-table.ts";

export interface LoadedLog {
  readonly row: LogChunksRow;
  readonly raw: string;
  readonly bytes: number;
  readonly gold: readonly string[];
}

export function loadLog(row: LogChunksRow, raw: string): LoadedLog {
  return { row, raw, bytes: Buffer.byteLength(raw), gold: goldLines(raw, row) };
}

export type Rules = Partial<Record<RuleName, boolean>>;

export interface LogRun extends LogResult {
  readonly excerpt: string;
  /** The distiller's own view of the log: its toolchain, and the shape of its steps. */
  readonly toolchain: string;
  readonly shape: string;
  readonly loss: LossReason;
}

/** How the log is laid out, as the distiller sees it. */
function shapeOf(failedSteps: number, focusStep: string | undefined): string {
  if (failedSteps > 0) return "step with an exit";
  return focusStep !== undefined ? "step without an exit" : "no steps";
}

export function runLogs(logs: readonly LoadedLog[], budget: number, rules: Rules | undefined): LogRun[] {
  return logs.map(({ row, raw, gold }) => {
    const trace = distillLogTraced(raw, rules ? { budgetBytes: budget, rules } : { budgetBytes: budget });
    const { excerpt, stats } = trace.result;
    const score = scoreExcerpt(gold, excerpt);
    return {
      ...score,
      bytes: Buffer.byteLength(excerpt),
      excerpt,
      toolchain: stats.toolchain ?? "none",
      shape: shapeOf(stats.failedSteps, stats.focusStep),
      loss: score.whole ? "none" : lossReason(raw, row, excerpt, trace, budget),
    };
  });
}

/**
 * Throughput in MB/s over `logs`: the median of `passes` timed passes
 * (distillation only, wall clock), and the best one.
 */
export function timeLogs(
  logs: readonly LoadedLog[],
  budget: number,
  rules: Rules | undefined,
  passes: number,
): { median: number; best: number; slowestMs: number } {
  const bytes = logs.reduce((s, l) => s + l.bytes, 0);
  const options = rules ? { budgetBytes: budget, rules } : { budgetBytes: budget };
  const rates: number[] = [];
  let slowestMs = 0;
  for (let pass = 0; pass < passes; pass++) {
    let total = 0;
    for (const { raw } of logs) {
      const t0 = performance.now();
      distillLog(raw, options);
      const dt = performance.now() - t0;
      total += dt;
      slowestMs = Math.max(slowestMs, dt);
    }
    rates.push(bytes / 1e6 / (total / 1000));
  }
  return { median: median(rates), best: Math.max(...rates), slowestMs };
}
