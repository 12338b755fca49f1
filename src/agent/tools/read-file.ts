import { stat } from "node:fs/promises";
import { z } from "zod";
import { errnoCode, fail, looksBinary, ok, readHead, resolveForRead, specialFileMessage, specialKind } from "./tool-helpers.ts";
import type { AgentTool } from "./types.ts";

/** Larger files are shown up to this many bytes, cut at a line break. */
export const READ_FILE_MAX_BYTES = 60_000;

const ReadFileArgs = z.object({
  path: z.string().min(1).describe("File path relative to the repository root, e.g. src/index.ts"),
});

/**
 * `read_file{path}`: the file's text exactly as stored, without line numbers,
 * so that a passage copied from it is a valid `old_string` for `edit_file`.
 */
export const readFileTool: AgentTool<typeof ReadFileArgs> = {
  name: "read_file",
  description: `Read a text file of the repository. Shows the content exactly (no line numbers); files over ${READ_FILE_MAX_BYTES} bytes are cut. Binary files are refused.`,
  schema: ReadFileArgs,
  async run(args, context) {
    const resolved = await resolveForRead(context, args.path);
    if (!resolved.ok) return resolved.outcome;
    const { absolute, relative } = resolved;
    let size: number;
    try {
      const stats = await stat(absolute);
      if (stats.isDirectory()) return fail(`${relative} is a directory; use list_files to see its content.`);
      const special = specialKind(stats);
      if (special !== undefined) return fail(specialFileMessage(relative, special));
      size = stats.size;
    } catch (error) {
      if (errnoCode(error) === "ENOENT") return fail(`${relative} does not exist. Use list_files or search to find the right path.`);
      throw error;
    }
    const head = await readHead(absolute, Math.min(size, READ_FILE_MAX_BYTES), relative);
    if (looksBinary(head)) return fail(`${relative} is a binary file (${size} bytes); read_file only shows text files.`);
    if (size === 0) return ok(`${relative} is empty.`);
    let text = head.toString("utf8");
    if (size > READ_FILE_MAX_BYTES) {
      // Cut at a line break so the last line shown is whole (and never half a UTF-8 character).
      const lastBreak = text.lastIndexOf("\n");
      if (lastBreak > 0) text = text.slice(0, lastBreak + 1);
      text += `\n[truncated: showing the first ${Buffer.byteLength(text)} of ${size} bytes; use search to find the lines you need]`;
    }
    return ok(text);
  },
};
