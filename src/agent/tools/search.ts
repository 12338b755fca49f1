import { lstat, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { SKIPPED_DIRECTORIES, errnoCode, fail, looksBinary, ok, resolveForRead } from "./tool-helpers.ts";
import type { AgentTool } from "./types.ts";

/** Matches reported before the search stops. */
export const SEARCH_MAX_MATCHES = 100;
/** Files larger than this are skipped (bundles, fixtures, lock files). */
export const SEARCH_MAX_FILE_BYTES = 1_000_000;
/** Files visited before the search stops, so a huge tree cannot stall the loop. */
const SEARCH_MAX_FILES = 20_000;
/** A matching line is shown up to this many characters. */
const SHOWN_LINE_CHARS = 200;

const SearchArgs = z.object({
  pattern: z.string().min(1).describe("A JavaScript regular expression (case-sensitive), e.g. parseConfig\\("),
  path: z.string().optional().describe("File or directory relative to the repository root; default: the root"),
});

/**
 * `search{pattern, path?}`. The rule: `pattern` is a JavaScript regular
 * expression, case-sensitive, matched line by line; if it does not compile it
 * is searched as literal text and the answer says so. Binary, huge, `.git`
 * and `node_modules` files are skipped; symbolic links are not followed.
 */
export const searchTool: AgentTool<typeof SearchArgs> = {
  name: "search",
  description: `Search file contents line by line. pattern is a JavaScript regular expression (case-sensitive); an invalid regex is searched as literal text. Shows path:line: text, at most ${SEARCH_MAX_MATCHES} matches. Skips binary files, files over ${SEARCH_MAX_FILE_BYTES} bytes, .git and node_modules.`,
  schema: SearchArgs,
  async run(args, context) {
    const resolved = await resolveForRead(context, args.path ?? ".");
    if (!resolved.ok) return resolved.outcome;
    let regex: RegExp;
    let note = "";
    try {
      regex = new RegExp(args.pattern);
    } catch {
      regex = new RegExp(args.pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
      note = `(not a valid regular expression; searched as literal text)\n`;
    }

    const files: Array<{ absolute: string; display: string }> = [];
    try {
      await collectFiles(resolved.absolute, resolved.relative === "." ? "" : resolved.relative, files);
    } catch (error) {
      if (errnoCode(error) === "ENOENT") return fail(`${resolved.relative} does not exist.`);
      throw error;
    }

    const matches: string[] = [];
    for (const file of files) {
      const bytes = await readFile(file.absolute);
      if (looksBinary(bytes)) continue;
      const lines = bytes.toString("utf8").split("\n");
      for (let i = 0; i < lines.length && matches.length < SEARCH_MAX_MATCHES; i++) {
        const line = lines[i] ?? "";
        if (regex.test(line)) matches.push(`${file.display}:${i + 1}: ${line.trim().slice(0, SHOWN_LINE_CHARS)}`);
      }
      if (matches.length >= SEARCH_MAX_MATCHES) {
        matches.push(`[stopped after ${SEARCH_MAX_MATCHES} matches; narrow the pattern or the path]`);
        break;
      }
    }
    if (matches.length === 0) return ok(`${note}No matches for ${regex.source} in ${resolved.relative} (${files.length} files searched).`);
    return ok(note + matches.join("\n"));
  },
};

/** Regular, not-too-large files below `absolute`, in a stable order. */
async function collectFiles(absolute: string, display: string, out: Array<{ absolute: string; display: string }>): Promise<void> {
  if (out.length >= SEARCH_MAX_FILES) return;
  const stats = await lstat(absolute);
  if (stats.isFile()) {
    if (stats.size <= SEARCH_MAX_FILE_BYTES) out.push({ absolute, display: display || path.basename(absolute) });
    return;
  }
  if (!stats.isDirectory()) return;
  const entries = await readdir(absolute, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (entry.isSymbolicLink() || (entry.isDirectory() && SKIPPED_DIRECTORIES.has(entry.name))) continue;
    if (entry.isFile() || entry.isDirectory()) {
      await collectFiles(path.join(absolute, entry.name), display ? `${display}/${entry.name}` : entry.name, out);
    }
  }
}
