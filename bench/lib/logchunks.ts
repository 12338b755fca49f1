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
