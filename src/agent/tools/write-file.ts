import { mkdir, stat } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { errnoCode, fail, ok, resolveForWrite, specialFileMessage, specialKind, writeResolved } from "./tool-helpers.ts";
import type { AgentTool } from "./types.ts";

/** A larger file is not a minimal fix. */
export const WRITE_FILE_MAX_CHARS = 500_000;

const WriteFileArgs = z.object({
  path: z.string().min(1).describe("File path relative to the repository root"),
  content: z.string().max(WRITE_FILE_MAX_CHARS).describe("The complete new content of the file"),
});

/** `write_file{path, content}`: create a file (and its directories) or replace one whole. */
export const writeFileTool: AgentTool<typeof WriteFileArgs> = {
  name: "write_file",
  description:
    "Create a file, or replace the whole content of one. Missing directories are created. Prefer edit_file for changes to existing files. Protected paths are refused.",
  schema: WriteFileArgs,
  async run(args, context) {
    const resolved = await resolveForWrite(context, args.path);
    if (!resolved.ok) return resolved.outcome;
    const { absolute, relative } = resolved;
    let existed = false;
    try {
      const stats = await stat(absolute);
      if (stats.isDirectory()) return fail(`${relative} is a directory; name a file.`);
      const special = specialKind(stats);
      if (special !== undefined) return fail(specialFileMessage(relative, special));
      existed = true;
    } catch (error) {
      if (errnoCode(error) !== "ENOENT") throw error;
    }
    try {
      await mkdir(path.dirname(absolute), { recursive: true });
    } catch (error) {
      if (errnoCode(error) === "EEXIST" || errnoCode(error) === "ENOTDIR") return fail(`a parent of ${relative} is a file, not a directory.`);
      throw error;
    }
    await writeResolved(absolute, args.content, relative);
    const bytes = Buffer.byteLength(args.content);
    return ok(existed ? `Replaced the content of ${relative} (${bytes} bytes).` : `Created ${relative} (${bytes} bytes).`);
  },
};
