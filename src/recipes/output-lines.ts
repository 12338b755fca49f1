import { cleanLine } from "../evidence/clean-log.ts";

// GitHub Actions' `2024-01-01T00:00:00.0000000Z ` prefix, when the output comes from a CI log.
const TIMESTAMP = /^\uFEFF?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ?/;

/**
 * Command output as a terminal shows it, line by line: no ANSI colours or
 * hyperlinks, no progress-bar carriage returns, no CI timestamps. Recipes
 * match on these lines, so coloured CI logs and plain sandbox output read the same.
 */
export function outputLines(output: string): string[] {
  return output.split("\n").map((line) => cleanLine(line).replace(TIMESTAMP, ""));
}

/** The file list of a description: `- \`a.js\`` lines, the first `max` of them, with backticks made harmless. */
export function listFiles(files: readonly string[], max = 20): string {
  const shown = files.slice(0, max).map((f) => `- \`${f.replace(/`/g, "'")}\``);
  if (files.length > max) shown.push(`- … and ${files.length - max} more`);
  return shown.join("\n");
}

/** "1 file" / "2 files". */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
