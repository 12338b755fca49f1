/**
 * The command line GitHub's Linux runner uses for a `run:` step's `shell:`,
 * and whether the sandbox can run it faithfully.
 * https://docs.github.com/actions/reference/workflow-syntax-for-github-actions#jobsjob_idstepsshell
 */
import type { LocalToolchain } from "./types.ts";

export interface ResolvedShell {
  /** Template with `{0}` standing for the script. */
  readonly template: string;
  /** Why the sandbox cannot run it as CI did; absent when it can. */
  readonly inexact?: string;
}

/** `bash {0}`: what the sandbox does anyway (`bash -c <command>`), so commands run unwrapped. */
export const PLAIN_BASH = "bash {0}";

const BUILTIN: Readonly<Record<string, string>> = {
  // Without `shell:` the runner uses bash with -e only; `shell: bash` adds pipefail and skips the rc files.
  "": "bash -e {0}",
  bash: "bash --noprofile --norc -eo pipefail {0}",
  sh: "sh -e {0}",
  python: "python {0}",
  pwsh: "pwsh -command \". '{0}'\"",
  powershell: "powershell -command \". '{0}'\"",
  cmd: "%ComSpec% /D /E:ON /V:OFF /S /C \"CALL \"{0}\"\"",
};

/** @param shell the step's `shell:` (or the defaults'), absent for the runner's default. */
export function resolveShell(shell: string | undefined, toolchain: LocalToolchain): ResolvedShell {
  const key = (shell ?? "").trim();
  const builtin = BUILTIN[key];
  if (builtin !== undefined) {
    if (key === "python" && toolchain.python === undefined) {
      return { template: builtin, inexact: "`shell: python`: no local Python was reported for the sandbox" };
    }
    if (key === "pwsh" || key === "powershell" || key === "cmd") {
      return { template: builtin, inexact: `\`shell: ${key}\` is not available in the Linux sandbox` };
    }
    return { template: builtin };
  }
  // A custom template: `command [options] {0} [more options]`.
  const template = key.includes("{0}") ? key : `${key} {0}`;
  const program = template.split(/\s+/)[0] ?? "";
  if (/^(pwsh|powershell|cmd)(\.exe)?$/i.test(program)) {
    return { template, inexact: `\`shell: ${key}\` is not available in the Linux sandbox` };
  }
  return { template };
}
