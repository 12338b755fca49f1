import { lstat, readdir } from "node:fs/promises";
import path from "node:path";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { RE2JS } from "re2js";
import { z } from "zod";
import { SKIPPED_DIRECTORIES, errnoCode, fail, looksBinary, ok, readRegular, resolveForRead } from "./tool-helpers.ts";
import type { AgentTool } from "./types.ts";

/** Matches reported before the search stops. */
export const SEARCH_MAX_MATCHES = 100;
/** Files larger than this are skipped (bundles, fixtures, lock files). */
export const SEARCH_MAX_FILE_BYTES = 1_000_000;
/** Files visited before the search stops, so a huge tree cannot stall the loop. */
const SEARCH_MAX_FILES = 20_000;
/** A matching line is shown up to this many characters. */
const SHOWN_LINE_CHARS = 200;
/** One search never runs longer than this (nor past the agent's deadline, `context.signal`). */
export const SEARCH_DEADLINE_MS = 20_000;
/** Matching gives the event loop back at least this often. */
const SLICE_MS = 20;

const SearchArgs = z.object({
  pattern: z.string().min(1).describe("A regular expression in RE2 syntax (JavaScript's, without lookaround or backreferences; case-sensitive), e.g. parseConfig\\("),
  path: z.string().optional().describe("File or directory relative to the repository root; default: the root"),
});

/**
 * `search{pattern, path?}`. The rule: `pattern` is a regular expression in
 * RE2 syntax, case-sensitive, matched line by line; if it does not compile it
 * is searched as literal text and the answer says so. Binary, huge, `.git`
 * and `node_modules` files are skipped; symbolic links and special files
 * (FIFOs, sockets, devices) are never opened.
 *
 * RE2 (re2js, pure JavaScript) matches in time linear in the line, whatever
 * the pattern: `(a+)+$` cannot backtrack for hours on the worker's event loop
 * as it would with RegExp. Matching still runs on that loop, so it yields
 * every few milliseconds, and stops at its deadline with what it found.
 */
export const searchTool: AgentTool<typeof SearchArgs> = {
  name: "search",
  description: `Search file contents line by line. pattern is a regular expression in RE2 syntax (like JavaScript's, without lookaround or backreferences; case-sensitive); an invalid one is searched as literal text. Shows path:line: text, at most ${SEARCH_MAX_MATCHES} matches. Skips binary files, files over ${SEARCH_MAX_FILE_BYTES} bytes, .git and node_modules.`,
  schema: SearchArgs,
  async run(args, context) {
    const resolved = await resolveForRead(context, args.path ?? ".");
    if (!resolved.ok) return resolved.outcome;
    let regex: RE2JS;
    let note = "";
    try {
      regex = RE2JS.compile(args.pattern);
    } catch {
      regex = RE2JS.compile(RE2JS.quote(args.pattern));
      note = `(not a valid regular expression; searched as literal text)\n`;
    }
    const deadline = performance.now() + SEARCH_DEADLINE_MS;
    const stopReason = (): string | undefined =>
      context.signal?.aborted === true
        ? "the agent's time budget ran out"
        : performance.now() > deadline
          ? `it reached its ${SEARCH_DEADLINE_MS / 1000}s limit`
          : undefined;

    const files: Array<{ absolute: string; display: string }> = [];
    try {
      await collectFiles(resolved.absolute, resolved.relative === "." ? "" : resolved.relative, files);
    } catch (error) {
      if (errnoCode(error) === "ENOENT") return fail(`${resolved.relative} does not exist.`);
      throw error;
    }

    const matches: string[] = [];
    let searched = 0;
    let stopped: string | undefined;
    let sliceStart = performance.now();
    search: for (const file of files) {
      // Skipped if it became a FIFO, socket or device (or vanished) since it was listed.
      const bytes = await readRegular(file.absolute).catch(() => undefined);
      searched++;
      if (bytes === undefined || looksBinary(bytes)) continue;
      const lines = bytes.toString("utf8").split("\n");
      for (let i = 0; i < lines.length && matches.length < SEARCH_MAX_MATCHES; i++) {
        if (performance.now() - sliceStart > SLICE_MS) {
          await yieldToLoop();
          sliceStart = performance.now();
          stopped = stopReason();
          if (stopped !== undefined) break search;
        }
        const line = lines[i] ?? "";
        if (regex.test(line)) matches.push(`${file.display}:${i + 1}: ${line.trim().slice(0, SHOWN_LINE_CHARS)}`);
      }
      if (matches.length >= SEARCH_MAX_MATCHES) {
        matches.push(`[stopped after ${SEARCH_MAX_MATCHES} matches; narrow the pattern or the path]`);
        break;
      }
      stopped = stopReason();
      if (stopped !== undefined) break;
    }
    const cut = stopped === undefined ? "" : `\n[search stopped early after ${searched} of ${files.length} files: ${stopped}; narrow the pattern or the path]`;
    if (matches.length === 0) return ok(`${note}No matches for ${regex.pattern()} in ${resolved.relative} (${searched} files searched).${cut}`);
    return ok(note + matches.join("\n") + cut);
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
