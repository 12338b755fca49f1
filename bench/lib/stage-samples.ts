/**
 * Stage timings of repeated workspace opens (`openWorkspace`'s `onStage`):
 * each run's durations summed per stage, then the median per stage over runs.
 */
import type { WorkspaceStage } from "../../src/workspace/workspace-stages.ts";

export class StageSamples {
  readonly #runs: Map<WorkspaceStage, number>[] = [];

  /** A listener for one more run. */
  begin(): (stage: WorkspaceStage, ms: number) => void {
    const run = new Map<WorkspaceStage, number>();
    this.#runs.push(run);
    return (stage, ms) => run.set(stage, (run.get(stage) ?? 0) + ms);
  }

  /** Median per stage, rounded to 0.1 ms, in the order the stages were first seen. */
  medians(): Record<string, number> {
    const stages = [...new Set(this.#runs.flatMap((run) => [...run.keys()]))];
    return Object.fromEntries(stages.map((stage) => [stage, Math.round(median(this.#runs.map((run) => run.get(stage) ?? 0)) * 10) / 10]));
  }

  /** One line per stage: `stage  median ms`. */
  table(): string {
    const medians = Object.entries(this.medians());
    const width = Math.max(0, ...medians.map(([stage]) => stage.length));
    return medians.map(([stage, ms]) => `  ${stage.padEnd(width)}  ${ms.toFixed(1).padStart(7)} ms`).join("\n");
  }
}

/** The medians of several sets of runs side by side: one line per stage, one column per set. */
export function stageTable(sets: Readonly<Record<string, StageSamples>>): string {
  const columns = Object.entries(sets).map(([label, samples]) => [label, samples.medians()] as const);
  const stages = [...new Set(columns.flatMap(([, medians]) => Object.keys(medians)))];
  const width = Math.max(5, ...stages.map((stage) => stage.length));
  const cellWidth = Math.max(10, ...columns.map(([label]) => label.length));
  const header = `  ${"stage".padEnd(width)}${columns.map(([label]) => `  ${label.padStart(cellWidth)}`).join("")}`;
  const lines = stages.map((stage) => {
    const cells = columns.map(([, medians]) => {
      const value = medians[stage];
      return `  ${(value === undefined ? "-" : `${value.toFixed(1)} ms`).padStart(cellWidth)}`;
    });
    return `  ${stage.padEnd(width)}${cells.join("")}`;
  });
  return [header, ...lines].join("\n");
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}
