/**
 * A second labelled set of failed CI logs, from repositories outside the
 * LogChunks split: the breakage dataset of CiDiff (labri-progress/cidiff,
 * Apache-2.0, `data/breakages/`): Jenkins/Maven and GitHub Actions logs, each
 * with `fail.log` and a `groundtruth` listing its error lines (`E 34-45`, 1-based)
 * and context lines (`C 33`).
 *
 * Read as LogChunks rows so that `bench:distill -- --outside DIR` scores it like
 * the development split, with the error lines as the labelled chunk. Two
 * adjustments, both to what the distiller would be given in production:
 * - line breaks: the ground truth counts `\r\n`, `\r` and `\n` as line ends,
 *   so every one becomes `\n` (LogChunks counts only `\n`);
 * - GitHub Actions logs lose their `job<TAB>step<TAB>` prefix (`gh run view
 *   --log`), and the timestamps of the API's format, which the distiller hides.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadLog, type LoadedLog } from "./distill-runs.ts";

/** True when `dir` is a CiDiff checkout. */
export const isCidiffCheckout = (dir: string): boolean => existsSync(join(dir, "data", "breakages"));

const GH_PREFIX = /^(?:[^\t\n]*\t[^\t\n]*\t)?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ?/;

/** The error ranges of a ground truth file, 0-based and inclusive; its first line names the log's format. */
export function parseGroundTruth(text: string): { format: string; errors: [number, number][] } {
  const [format = "", ...lines] = text.split(/\r?\n/);
  const errors: [number, number][] = [];
  for (const line of lines) {
    const m = /^E\s+(\d+)(?:-(\d+))?\s*$/.exec(line.trim());
    if (!m) continue;
    const first = Number(m[1]);
    errors.push([first - 1, Number(m[2] ?? first) - 1]);
  }
  return { format: format.trim(), errors };
}

export function normaliseCidiffLog(raw: string, format: string): string {
  const lines = raw.split(/\r\n|\r|\n/);
  const github = format === "RAW_GITHUB" || format === "FULL_GITHUB";
  return (github ? lines.map((l) => l.replace(GH_PREFIX, "")) : lines).join("\n");
}

export function loadCidiffBreakages(checkout: string): LoadedLog[] {
  const root = join(checkout, "data", "breakages");
  const out: LoadedLog[] = [];
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    if (!existsSync(join(dir, "fail.log")) || !existsSync(join(dir, "groundtruth"))) continue;
    const { format, errors } = parseGroundTruth(readFileSync(join(dir, "groundtruth"), "utf8"));
    if (errors.length === 0) continue;
    const raw = normaliseCidiffLog(readFileSync(join(dir, "fail.log"), "utf8"), format);
    const row = {
      id: name,
      language: format === "DEFAULT" ? "Java (Jenkins)" : "GitHub Actions",
      repo: name.replace(/_\d+$/, ""),
      log: join("data", "breakages", name, "fail.log"),
      log_bytes: Buffer.byteLength(raw),
      gold_lines: errors,
    };
    out.push(loadLog(row, raw));
  }
  return out;
}
