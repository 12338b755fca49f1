/**
 * Recall per kind of log (the repository's language, the toolchain the
 * distiller detects, the shape of the log's steps), in sample and held out:
 * where recall is lost, by kind rather than by log.
 */
import type { LogResult } from "./rule-ablation.ts";
import { summarise } from "./rule-ablation.ts";
import { formatTable, pct } from "./text-table.ts";

export interface KindRow {
  readonly kind: string;
  readonly logs: number;
  readonly repos: number;
  readonly recall: number;
  readonly chunk: number;
  readonly heldOutRecall: number | undefined;
  readonly heldOutChunk: number | undefined;
}

export function kindRows(
  kindOf: (i: number) => string,
  repoOf: (i: number) => string,
  inSample: readonly LogResult[],
  heldOut: readonly LogResult[] | undefined,
): KindRow[] {
  const groups = new Map<string, number[]>();
  inSample.forEach((_, i) => {
    const k = kindOf(i);
    groups.set(k, [...(groups.get(k) ?? []), i]);
  });
  return [...groups]
    .map(([kind, idx]) => {
      const a = summarise(inSample, idx);
      const b = heldOut ? summarise(heldOut, idx) : undefined;
      return {
        kind,
        logs: idx.length,
        repos: new Set(idx.map(repoOf)).size,
        recall: a.recall,
        chunk: a.chunk,
        heldOutRecall: b?.recall,
        heldOutChunk: b?.chunk,
      };
    })
    .sort((x, y) => y.logs - x.logs || x.kind.localeCompare(y.kind));
}

export function formatKindTable(title: string, rows: readonly KindRow[]): string {
  const held = rows.some((r) => r.heldOutRecall !== undefined);
  const header = [title, "logs", "repos", "recall", "whole chunk", ...(held ? ["held-out recall", "held-out whole"] : [])];
  return formatTable([
    header,
    ...rows.map((r) => [
      r.kind,
      String(r.logs),
      String(r.repos),
      pct(r.recall),
      pct(r.chunk),
      ...(held ? [pct(r.heldOutRecall ?? 0), pct(r.heldOutChunk ?? 0)] : []),
    ]),
  ]);
}
