/**
 * The `patchwright` command line, as a function of its inputs so that tests can
 * run it in-process. `main.ts` wires it to the real process.
 *
 * Exit codes: 0 success (fixed), 1 the work failed (not fixed, unreadable
 * file), 2 usage or setup error.
 */
import { EnvError } from "../config/env.ts";
import { EXIT, SetupError, UsageError } from "./cli-errors.ts";
import type { CliIo, Io } from "./cli-io.ts";
import { distillCommand } from "./distill-command.ts";
import { doctorCommand } from "./doctor-command.ts";
import { fixCommand } from "./fix-command.ts";
import { replayCommand } from "./replay-command.ts";

export type { CliIo } from "./cli-io.ts";
export { DISTILL_USAGE } from "./distill-command.ts";

export const USAGE = `Usage: patchwright <command> [options]

Commands:
  fix [DIR]          Reproduce the failing tests of a repository in a sandbox,
                     fix them with the model, verify, and leave a branch.
  doctor             Check git, bubblewrap, the model, the data directory and
                     the app's settings, and say how to fix each problem.
  replay JOB-ID      Show a finished job's timeline, diff and trace.
  distill [FILE|-]   Print the lines of a CI log that explain its failure.

Run "patchwright <command> --help" for the options of a command.
`;

const COMMANDS: Readonly<Record<string, (args: readonly string[], io: Io) => Promise<number>>> = {
  fix: fixCommand,
  doctor: doctorCommand,
  replay: replayCommand,
  distill: distillCommand,
};

/** Runs the CLI; resolves to the process exit code. */
export async function runCli(cliIo: CliIo): Promise<number> {
  const io: Io = { ...cliIo, cwd: cliIo.cwd ?? process.cwd(), env: cliIo.env ?? {} };
  const [command, ...rest] = io.argv;
  const scope = command !== undefined && Object.hasOwn(COMMANDS, command) ? `patchwright ${command}` : "patchwright";
  try {
    if (command === undefined) {
      io.stderr.write(USAGE);
      return EXIT.usage;
    }
    if (command === "--help" || command === "-h" || command === "help") {
      io.stdout.write(USAGE);
      return EXIT.ok;
    }
    const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (!run) throw new UsageError(`unknown command "${command}"`);
    return await run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${scope}: ${error.message}\nRun "${scope} --help" for usage.\n`);
      return EXIT.usage;
    }
    if (error instanceof SetupError || error instanceof EnvError) {
      io.stderr.write(`${scope}: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
}
