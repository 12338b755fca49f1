import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { SKIPPED_DIRECTORIES, errnoCode, fail, ok, resolveForRead } from "./tool-helpers.ts";

/** How list_files marks entries that are neither files, directories nor links (never opened). */
function specialLabel(entry: { isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string | undefined {
  if (entry.isFIFO()) return "named pipe";
  if (entry.isSocket()) return "socket";
  if (entry.isCharacterDevice() || entry.isBlockDevice()) return "device";
  return undefined;
}
import type { AgentTool } from "./types.ts";

/** Entries shown before the listing is cut. */
export const LIST_FILES_MAX_ENTRIES = 400;

const ListFilesArgs = z.object({
  path: z.string().optional().describe("Directory relative to the repository root; default: the root"),
});

/**
 * `list_files{path?}`: a recursive listing, breadth first (the top levels
 * come first when the listing is cut), sorted, directories ending in `/`.
 * Symbolic links are listed, never followed.
 */
export const listFilesTool: AgentTool<typeof ListFilesArgs> = {
  name: "list_files",
  description: `List files below a directory, recursively (breadth first, at most ${LIST_FILES_MAX_ENTRIES} entries). Skips .git and node_modules.`,
  schema: ListFilesArgs,
  async run(args, context) {
    const resolved = await resolveForRead(context, args.path ?? ".");
    if (!resolved.ok) return resolved.outcome;
    const { absolute, relative } = resolved;
    try {
      if (!(await stat(absolute)).isDirectory()) return ok(relative);
    } catch (error) {
      if (errnoCode(error) === "ENOENT") return fail(`${relative} does not exist. List the parent directory to see what is there.`);
      throw error;
    }

    const lines: string[] = [];
    const prefix = relative === "." ? "" : `${relative}/`;
    const queue: string[] = [""];
    let truncated = false;
    while (queue.length > 0 && !truncated) {
      const dir = queue.shift() ?? "";
      const entries = await readdir(path.join(absolute, dir), { withFileTypes: true });
      entries.sort((a, b) => a.name.localeCompare(b.name));
      for (const entry of entries) {
        if (lines.length >= LIST_FILES_MAX_ENTRIES) {
          truncated = true;
          break;
        }
        const display = `${prefix}${dir}${entry.name}`;
        const special = specialLabel(entry);
        if (entry.isSymbolicLink()) lines.push(`${display} (symbolic link)`);
        else if (special !== undefined) lines.push(`${display} (${special}; not readable by the tools)`);
        else if (entry.isDirectory() && SKIPPED_DIRECTORIES.has(entry.name)) lines.push(`${display}/ (not listed)`);
        else if (entry.isDirectory()) {
          lines.push(`${display}/`);
          queue.push(`${dir}${entry.name}/`);
        } else lines.push(display);
      }
    }
    if (lines.length === 0) return ok(`${relative} is an empty directory.`);
    if (truncated) lines.push(`[truncated after ${LIST_FILES_MAX_ENTRIES} entries; list a subdirectory to see more]`);
    return ok(lines.join("\n"));
  },
};
