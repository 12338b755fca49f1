/**
 * Turns a planned step into the one command line the sandbox runs (it runs
 * everything as `bash -c <command>`). The script is passed inline, never
 * written to disk: `bash -e -c '<script>'`, or for other programs a process
 * substitution standing in for the script file.
 */
import { PLAIN_BASH } from "./resolve-shell.ts";
import type { PlannedStep } from "./types.ts";

/** Programs that take the script as `-c <script>`. */
const INLINE_PROGRAMS = /^(?:\/(?:usr\/)?bin\/)?(bash|sh|dash|zsh|python3?|python\d+\.\d+)$/;

/** The command for `sandbox.run`, given the step's shell template. */
export function toSandboxCommand(step: Pick<PlannedStep, "command" | "shell">): string {
  if (step.shell.trim() === PLAIN_BASH) return step.command;
  const tokens = step.shell.trim().split(/\s+/);
  const program = tokens[0] ?? "bash";
  const script = shellQuote(step.command);
  if (/^(pwsh|powershell)$/.test(program)) return `${program} -command ${script}`;
  const slot = tokens.indexOf("{0}");
  if (slot > 0 && INLINE_PROGRAMS.test(program)) {
    return [...tokens.slice(0, slot), "-c", script, ...tokens.slice(slot + 1)].join(" ");
  }
  // Any other program reads the script from a pipe that looks like a file.
  return step.shell.trim().replaceAll("{0}", `<(printf '%s\\n' ${script})`);
}

/**
 * The whole step as one line to run from the workspace root, for people and
 * for the agent: `cd <dir> && env K=V … <command>`.
 */
export function toOneLiner(step: Pick<PlannedStep, "command" | "shell" | "cwd" | "env">): string {
  // `env` runs a program, so a plain script needs its bash spelled out.
  const plain = step.shell.trim() === PLAIN_BASH && Object.keys(step.env).length > 0;
  const inner = plain ? `bash -c ${shellQuote(step.command)}` : toSandboxCommand(step);
  const env = Object.entries(step.env).map(([key, value]) => shellQuote(`${key}=${value}`));
  const command = env.length > 0 ? `env ${env.join(" ")} ${inner}` : inner;
  return step.cwd === "." ? command : `cd ${shellQuote(step.cwd)} && ${command}`;
}

/** Single-quotes a string for bash. */
export function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}
