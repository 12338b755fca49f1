/**
 * `patchwright fix`: the whole pipeline on the user's repository, without
 * GitHub. Flags are checked, the model and the sandbox set up, the job put in
 * the same store as the app's (so `replay` shows it), run through the same
 * frame (`runJob`), and its ending shown. Exit 0 fixed, 1 not fixed, 2 usage
 * or setup.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { parseFlags } from "./parse-flags.ts";
import { distillLog } from "../evidence/distill-log.ts";
import type { LocalTrigger } from "../queue/job.ts";
import { readAll, type Io as CliIo } from "./cli-io.ts";
import { EXIT, SetupError, UsageError } from "./cli-errors.ts";
import { openLocalRepository } from "./local-repository.ts";
import { runLocalJob, type LocalJobOutcome } from "./run-local-job.ts";
import { clock } from "./progress-display.ts";

export const FIX_USAGE = `Usage: patchwright fix [DIR] [options]

Reproduces the failing tests of the git repository in DIR (default: the
current directory) in a sandbox, fixes them with the configured model, and
verifies the fix. The run works on the last commit (HEAD); the working tree and
uncommitted changes are never touched. The fix is left as a new branch
patchwright/fix-<sha>, or as a patch file with --patch.

Options:
  --command CMD        The command that must go green (default: commands.test
                       of .github/patchwright.yml, else "npm test").
  --log FILE|-         A log of the failure (e.g. from CI), distilled for the model.
  --instructions TEXT  Guidance for the agent. With passing tests, it first
                       writes a test that shows the problem described.
  --candidates K       Parallel fixers, 1 to 5 (default: the config's, 3).
  --patch FILE         Write the verified diff to FILE instead of making a branch.
  --json               Print the result as one JSON object (no progress display).
  -h, --help           Show this help.

Environment: OPENAI_API_KEY or OPENAI_BASE_URL, PATCHWRIGHT_MODEL (see README
"Configuration"); PATCHWRIGHT_DATA_DIR (default ~/.local/share/patchwright).

Exit codes: 0 fixed, 1 not fixed, 2 usage or setup error.
`;

interface FixFlags {
  dir: string;
  command?: string;
  log?: string;
  instructions?: string;
  candidates?: number;
  patch?: string;
  json: boolean;
}

function parseFixFlags(args: readonly string[], cwd: string): FixFlags | "help" {
  const parsed = parseFlags(args, {
    command: { type: "string" },
    log: { type: "string" },
    instructions: { type: "string" },
    candidates: { type: "string" },
    patch: { type: "string" },
    json: { type: "boolean" },
  });
  const { values, positionals } = parsed;
  if (values.help) return "help";
  if (positionals.length > 1) throw new UsageError(`expected one DIR, got ${positionals.length}: ${positionals.join(" ")}`);
  if (values.command !== undefined && values.command.trim() === "") throw new UsageError("--command must not be empty");
  let candidates: number | undefined;
  if (values.candidates !== undefined) {
    candidates = Number(values.candidates);
    if (!/^\d+$/.test(values.candidates) || candidates < 1 || candidates > 5) throw new UsageError(`--candidates must be a whole number from 1 to 5, got "${values.candidates}"`);
  }
  return {
    dir: path.resolve(cwd, positionals[0] ?? "."),
    json: values.json === true,
    ...(values.command !== undefined ? { command: values.command } : {}),
    ...(values.log !== undefined ? { log: values.log } : {}),
    ...(values.instructions !== undefined ? { instructions: values.instructions } : {}),
    ...(candidates !== undefined ? { candidates } : {}),
    ...(values.patch !== undefined ? { patch: path.resolve(cwd, values.patch) } : {}),
  };
}

async function readLog(file: string, io: CliIo): Promise<string> {
  if (file === "-") return readAll(io.stdin);
  try {
    return Buffer.from(await io.readFile(path.resolve(io.cwd, file))).toString("utf8");
  } catch (error) {
    throw new SetupError(`cannot read the log ${file}: ${(error as Error).message}`);
  }
}

export async function fixCommand(args: readonly string[], io: CliIo): Promise<number> {
  const flags = parseFixFlags(args, io.cwd);
  if (flags === "help") {
    io.stdout.write(FIX_USAGE);
    return EXIT.ok;
  }
  const repo = await openLocalRepository(flags.dir);
  const trigger: LocalTrigger = {
    type: "local",
    dir: repo.root,
    sha: repo.sha,
    branch: repo.branch,
    ...(flags.command ? { command: flags.command } : {}),
    ...(flags.instructions ? { instructions: flags.instructions } : {}),
    ...(flags.log ? { logExcerpt: distillLog(await readLog(flags.log, io)).excerpt } : {}),
    ...(flags.candidates ? { candidates: flags.candidates } : {}),
    ...(flags.patch ? { patchFile: flags.patch } : {}),
  };
  if (flags.patch) await mkdir(path.dirname(flags.patch), { recursive: true });
  const outcome = await runLocalJob({ io, trigger, json: flags.json, dirty: repo.dirty });
  if (flags.json) io.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
  else printOutcome(outcome, io);
  return outcome.fixed ? EXIT.ok : outcome.setupError ? EXIT.usage : EXIT.notFixed;
}

function printOutcome(o: LocalJobOutcome, io: CliIo): void {
  const spent = `${o.turns} turns, ${o.tokens.toLocaleString("en-US")} tokens, $${o.costUsd.toFixed(4)}, ${clock(o.elapsedMs)}`;
  const lines: string[] = [];
  if (o.fixed && o.branch) lines.push(`Fixed: the fix is on branch ${o.branch} (your working tree is unchanged).`, `  git diff ${o.sha.slice(0, 7)} ${o.branch}`, `  git merge ${o.branch}`);
  else if (o.fixed && o.patchFile) lines.push(`Fixed: the verified diff is in ${o.patchFile}.`, `  git apply ${o.patchFile}`);
  else lines.push(`Not fixed: ${o.title}`, ...(o.summary ? [indent(o.summary)] : []));
  lines.push(`Job ${o.jobId} (${spent}). Trace: ${o.traceFile}`, `Replay it with: patchwright replay ${o.jobId}`);
  io.stdout.write(`${lines.join("\n")}\n`);
}

function indent(text: string): string {
  return text
    .split("\n")
    .slice(0, 30)
    .map((l) => `  ${l}`)
    .join("\n");
}

