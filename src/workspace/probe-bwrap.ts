/** Checks, once per sandbox, that bubblewrap exists and can build our sandbox here. */
import { existsSync } from "node:fs";
import { runProcess } from "./run-process.ts";

/** Default location of bubblewrap (Debian/Ubuntu package `bubblewrap`). */
export const DEFAULT_BWRAP_PATH = "/usr/bin/bwrap";

export type BwrapProbe = { readonly usable: true } | { readonly usable: false; readonly reason: string };

/**
 * Runs `true` with the exact arguments real commands will use, so a kernel
 * without unprivileged user namespaces, a seccomp-filtered container or a
 * broken install is caught before any job relies on isolation.
 */
export async function probeBwrap(
  spawnable: { file: string; args: readonly string[]; fd3Data?: string },
  bwrapPath: string,
  cwd: string,
): Promise<BwrapProbe> {
  // Checked here too: started through setpriv (a root worker), a missing bwrap is setpriv's exit code 127.
  if (!existsSync(bwrapPath)) return { usable: false, reason: `${bwrapPath} is not installed` };
  try {
    const result = await runProcess({
      file: spawnable.file,
      args: spawnable.args,
      ...(spawnable.fd3Data === undefined ? {} : { fd3Data: spawnable.fd3Data }),
      cwd,
      env: { PATH: "/usr/bin:/bin" },
      timeoutMs: 10_000,
      outputLimitBytes: 4_096,
    });
    if (result.exitCode === 0) return { usable: true };
    const detail = result.output.trim() || `exit code ${result.exitCode}`;
    return { usable: false, reason: `${bwrapPath} does not work here (${detail})` };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      usable: false,
      reason: code === "ENOENT" ? `${bwrapPath} is not installed` : `${bwrapPath} cannot be started (${code ?? String(error)})`,
    };
  }
}
