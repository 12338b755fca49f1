import { z } from "zod";
import { REDACTED } from "../../security/redact.ts";
import { errnoCode, fail, looksBinary, ok, readRegular, resolveForWrite, writeResolved } from "./tool-helpers.ts";
import type { AgentTool } from "./types.ts";

const EditFileArgs = z.object({
  path: z.string().min(1).describe("File path relative to the repository root"),
  old_string: z.string().min(1).describe("Exact text to replace, including whitespace; must occur exactly once in the file"),
  new_string: z.string().describe("Replacement text"),
});

/** `edit_file{path, old_string, new_string}`: one exact, unique replacement. */
export const editFileTool: AgentTool<typeof EditFileArgs> = {
  name: "edit_file",
  description:
    "Replace one exact passage of an existing file. old_string must match the file exactly (whitespace included) and occur exactly once; include surrounding lines to make it unique. Protected paths are refused.",
  schema: EditFileArgs,
  async run(args, context) {
    const resolved = await resolveForWrite(context, args.path);
    if (!resolved.ok) return resolved.outcome;
    const { absolute, relative } = resolved;
    let bytes: Buffer;
    try {
      bytes = await readRegular(absolute, relative);
    } catch (error) {
      const code = errnoCode(error);
      if (code === "ENOENT") return fail(`${relative} does not exist; use write_file to create a file.`);
      if (code === "EISDIR") return fail(`${relative} is a directory.`);
      throw error;
    }
    if (looksBinary(bytes)) return fail(`${relative} is a binary file; edit_file only changes text files.`);
    if (args.old_string === args.new_string) return fail("old_string and new_string are identical; nothing would change.");

    const text = bytes.toString("utf8");
    const count = countOccurrences(text, args.old_string);
    if (count === 0) {
      // The model saw redacted text; it cannot match what is really in the file.
      const redactedHint = args.old_string.includes(REDACTED) ? ` The text you copied contains ${REDACTED}, which hides a secret: choose a passage without it.` : "";
      return fail(`old_string was not found in ${relative}. Read the file again and copy the passage exactly, whitespace included.${redactedHint}`);
    }
    if (count > 1) {
      return fail(`old_string occurs ${count} times in ${relative}; it must occur exactly once. Include more surrounding lines to make it unique.`);
    }
    const at = text.indexOf(args.old_string);
    // Splice, not String.replace: `$&` and friends in new_string must stay literal.
    const updated = text.slice(0, at) + args.new_string + text.slice(at + args.old_string.length);
    await writeResolved(absolute, updated, relative);
    const line = text.slice(0, at).split("\n").length;
    return ok(`Edited ${relative} at line ${line}: replaced ${lineCount(args.old_string)} line(s) with ${lineCount(args.new_string)}.`);
  },
};

function countOccurrences(text: string, needle: string): number {
  let count = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) count++;
  return count;
}

function lineCount(text: string): number {
  return text === "" ? 0 : text.split("\n").length;
}
