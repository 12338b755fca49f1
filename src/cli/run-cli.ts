/**
 * The `patchwright` command line, as a function of its inputs so that tests can
 * run it in-process. `main.ts` wires it to the real process.
 *
 * Exit codes: 0 success, 1 the work failed (unreadable file), 2 usage error.
 */
import { parseArgs } from "node:util";
import { distillLog } from "../evidence/distill-log.ts";

export interface CliIo {
  readonly argv: readonly string[];
  /** Standard input: read only when the log comes from it. */
  readonly stdin: AsyncIterable<Uint8Array | string> & { readonly isTTY?: boolean };
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readFile(path: string): Promise<Uint8Array>;
}

export const USAGE = `Usage: patchwright <command> [options]

Commands:
  distill [FILE|-]   Print the lines of a CI log that explain its failure.

Run "patchwright distill --help" for the options of a command.
`;

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

class UsageError extends Error {}

async function readAll(stream: AsyncIterable<Uint8Array | string>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

function describeReadError(error: unknown): string {
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
  if (code === "ENOENT") return "no such file";
  if (code === "EISDIR") return "it is a directory";
  if (code === "EACCES") return "permission denied";
  return error instanceof Error ? error.message : String(error);
}

async function distillCommand(args: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        budget: { type: "string" },
        step: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
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

/** Runs the CLI; resolves to the process exit code. */
export async function runCli(io: CliIo): Promise<number> {
  const [command, ...rest] = io.argv;
  try {
    if (command === undefined) {
      io.stderr.write(USAGE);
      return 2;
    }
    if (command === "--help" || command === "-h" || command === "help") {
      io.stdout.write(USAGE);
      return 0;
    }
    if (command === "distill") return await distillCommand(rest, io);
    throw new UsageError(`unknown command "${command}"`);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const scope = command === "distill" ? "patchwright distill" : "patchwright";
    io.stderr.write(`${scope}: ${error.message}\nRun "${scope} --help" for usage.\n`);
    return 2;
  }
}
