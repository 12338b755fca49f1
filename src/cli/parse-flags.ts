import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { UsageError } from "./cli-errors.ts";

const HELP = { help: { type: "boolean", short: "h" } } as const;

/** A command's flags with `node:util` parseArgs (strict, `--help`/`-h` on every command); a bad flag is a `UsageError` (exit 2). */
export function parseFlags<const O extends ParseArgsOptionsConfig>(args: readonly string[], options: O, allowPositionals = true) {
  try {
    return parseArgs({ args: [...args], allowPositionals, strict: true, options: { ...options, ...HELP } });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
