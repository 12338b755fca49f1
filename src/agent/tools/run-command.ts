import { z } from "zod";
import { checkCommand } from "../../security/command-policy.ts";
import { stripControlCharacters } from "../../security/strip-control-characters.ts";
import { capMiddle, fail, ok } from "./tool-helpers.ts";
import { DEFAULT_COMMAND_TIMEOUT_MS } from "./types.ts";
import type { AgentTool } from "./types.ts";

/** Output shown to the model; the sandbox has its own, larger cap. */
export const RUN_COMMAND_MAX_OUTPUT_CHARS = 12_000;

const RunCommandArgs = z.object({
  command: z.string().min(1).describe("A shell command, run from the repository root, e.g. npm test"),
});

/**
 * `run_command{command}`: checked by the command policy first (a refusal is an
 * observation saying why, `ok: false` in the trace, and nothing runs), then run
 * through the `Sandbox` only — no network, a timeout, output capped (head and
 * tail kept) and redacted. A non-zero exit is an ordinary observation, not a
 * tool failure.
 */
export const runCommandTool: AgentTool<typeof RunCommandArgs> = {
  name: "run_command",
  description: `Run a shell command in the repository root inside a sandbox without network access (installing packages will fail). Times out; shows the exit code and the last part of the output (at most ${RUN_COMMAND_MAX_OUTPUT_CHARS} characters). Refused without running: git push/remote/config, sudo, piping a download into a shell, deleting outside the repository.`,
  schema: RunCommandArgs,
  async run(args, context) {
    const verdict = checkCommand(args.command);
    if (!verdict.allowed) {
      return fail(`the command policy refused \`${oneLine(args.command)}\`, so nothing was run: ${verdict.reason}.`);
    }
    const timeoutMs = context.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    const result = await context.sandbox.run(args.command, { network: false, timeoutMs, ...(context.signal ? { signal: context.signal } : {}) });
    const status = result.timedOut
      ? `exit code ${result.exitCode} (timed out after ${Math.round(timeoutMs / 1000)}s; the command was killed)`
      : `exit code ${result.exitCode}`;
    const notes = result.truncated ? "\n[the sandbox truncated this output]" : "";
    // Control characters go first (one could split a secret), then redaction, then the cap
    // (a secret cut in half by the cap is still caught).
    const output = capMiddle(context.redact(stripControlCharacters(result.output)), RUN_COMMAND_MAX_OUTPUT_CHARS);
    return ok(`$ ${args.command}\n${status} in ${(result.durationMs / 1000).toFixed(1)}s${notes}\n${output || "(no output)"}`);
  },
};

function oneLine(command: string): string {
  const line = command.replace(/\s*\n\s*/g, " ⏎ ");
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
