/**
 * Reading the LogChunks dataset (see its README): `labels.jsonl` rows and the
 * gzipped logs they point at, decoded the way its scorer decodes them.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

export interface LogChunksRow {
  readonly id: string;
  readonly language: string;
  readonly repo: string;
  /** Path of the gzipped log, relative to the dataset folder. */
  readonly log: string;
  readonly log_bytes: number;
  /** 0-based `[first, last]` line ranges of the labelled chunk (lines as a terminal shows them). */
  readonly gold_lines: readonly (readonly [number, number])[];
}

export function readLabels(dataset: string): LogChunksRow[] {
  return readFileSync(join(dataset, "labels.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as LogChunksRow);
}

export function readLog(dataset: string, row: LogChunksRow): string {
  return gunzipSync(readFileSync(join(dataset, row.log))).toString("utf8");
}

/** The dataset's baselines, computed exactly as its scorer computes them. */
export function tailBytes(raw: string, n: number): string {
  const buf = Buffer.from(raw);
  return buf.subarray(Math.max(0, buf.length - n)).toString();
}

export function tailLines(raw: string, n: number): string {
  return raw.split("\n").slice(-n).join("\n");
}

// The scorer's normalisation (score.mjs), reproduced to score thousands of
// excerpts in process; `bench:distill` checks the default run against score.mjs.
// eslint-disable-next-line no-control-regex
const SCORER_ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\]|\[[0-9;]*[mK]/g;
export const normaliseForScore = (s: string): string => s.replace(SCORER_ANSI, "").replace(/[<>]/g, "").split(/\s+/).filter(Boolean).join(" ");
export const terminalLines = (raw: string): string[] =>
  raw.split("\n").map((l) => (l.replace(/\r/g, "") ? (l.split("\r").at(-1) ?? "") : l));

/** The labelled lines of a log, normalised as the scorer normalises them (blank ones dropped). */
export function goldLines(raw: string, row: LogChunksRow): string[] {
  const lines = terminalLines(raw);
  const gold: string[] = [];
  for (const [a, b] of row.gold_lines) {
    for (let i = a; i <= b; i++) {
      const t = normaliseForScore(lines[i] ?? "");
      if (t) gold.push(t);
    }
  }
  return gold;
}

export interface ExcerptScore {
  /** Share of labelled lines the excerpt keeps. */
  readonly recall: number;
  /** Whether it keeps every labelled line. */
  readonly whole: boolean;
}

/** Scores one excerpt exactly as score.mjs does. */
export function scoreExcerpt(gold: readonly string[], excerpt: string): ExcerptScore {
  const hay = terminalLines(excerpt).map(normaliseForScore).join("\n");
  let kept = 0;
  for (const g of gold) if (hay.includes(g)) kept++;
  return { recall: gold.length > 0 ? kept / gold.length : 1, whole: kept === gold.length };
}
