/** A unified diff's changed lines, per file (the `b/` path; a deleted file keeps its own). */
export interface FileLines {
  readonly path: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

/** Splits a `git diff` patch into each file's added and removed lines (hunk bodies only). */
export function patchLines(patch: string): FileLines[] {
  const files: { path: string; added: string[]; removed: string[] }[] = [];
  let current: { path: string; added: string[]; removed: string[] } | undefined;
  let inHunk = false;
  for (const line of patch.split("\n")) {
    const header = /^diff --git "?a\/.* "?b\/(.*?)"?$/.exec(line);
    if (header) {
      current = { path: header[1] ?? "", added: [], removed: [] };
      files.push(current);
      inHunk = false;
    } else if (line.startsWith("@@")) {
      inHunk = true;
    } else if (inHunk && current) {
      if (line.startsWith("+")) current.added.push(line.slice(1));
      else if (line.startsWith("-")) current.removed.push(line.slice(1));
    }
  }
  return files;
}
