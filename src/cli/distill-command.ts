/** `patchwright distill`: the lines of a CI log that explain its failure, as the model sees them. */
import { parseFlags } from "./parse-flags.ts";
import { distillLog } from "../evidence/distill-log.ts";
import { UsageError } from "./cli-errors.ts";
import { readAll, type Io } from "./cli-io.ts";

export const DISTILL_USAGE = `Usage: patchwright distill [options] [FILE|-]

Reads a CI log (GitHub Actions, Travis, or plain output) from FILE, or from
standard input when FILE is "-" or absent, and prints the excerpt that explains
the failure: the failed step, its error blocks, the end of its output.

Options:
  --budget N    Maximum size of the excerpt in bytes (default 8000).
  --step NAME   Name of the step that failed, when known (e.g. "Run npm test").
  --json        Print {excerpt, references, stats} as JSON.
  -h, --help    Show this help.
`;

function describeReadError(error: unknown): string {
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
  if (code === "ENOENT") return "no such file";
  if (code === "EISDIR") return "it is a directory";
  if (code === "EACCES") return "permission denied";
  return error instanceof Error ? error.message : String(error);
}

export async function distillCommand(args: readonly string[], io: Io): Promise<number> {
  const parsed = parseFlags(args, { budget: { type: "string" }, step: { type: "string" }, json: { type: "boolean" } });
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(DISTILL_USAGE);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`expected one FILE, got ${positionals.length}: ${positionals.join(" ")}`);
  let budgetBytes: number | undefined;
  if (values.budget !== undefined) {
    budgetBytes = Number(values.budget);
    if (!/^\d+$/.test(values.budget) || budgetBytes < 1) {
      throw new UsageError(`--budget must be a positive number of bytes, got "${values.budget}"`);
    }
  }

  const file = positionals[0] ?? "-";
  let raw: string;
  if (file === "-") {
    if (positionals.length === 0 && io.stdin.isTTY) throw new UsageError("give a log FILE, or pipe a log into standard input");
    raw = await readAll(io.stdin);
  } else {
    try {
      raw = Buffer.from(await io.readFile(file)).toString("utf8");
    } catch (error) {
      io.stderr.write(`patchwright distill: cannot read ${file}: ${describeReadError(error)}\n`);
      return 1;
    }
  }

  const result = distillLog(raw, {
    ...(budgetBytes !== undefined ? { budgetBytes } : {}),
    ...(values.step !== undefined ? { failedStep: values.step } : {}),
  });
  if (values.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else if (result.excerpt !== "") io.stdout.write(`${result.excerpt}\n`);
  return 0;
}

