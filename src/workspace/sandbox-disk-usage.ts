/**
 * The workspace is on the host's disk, with no quota of its own: RLIMIT_FSIZE
 * bounds each file a command writes, and this check, after every command,
 * bounds what they add up to. A command that left the workspace over the
 * limit fails with a report (the job's setup or test phase ends there; the
 * agent's `run_command` gets it as an observation and can clean up). It does
 * not stop a command while it writes: for a hard bound, give the workspaces
 * their own file system or a project quota (docs/0005).
 */
import { PatchwrightError } from "../errors.ts";
import { runProcess } from "./run-process.ts";

/** Bytes the directory's files occupy on disk (hard links counted once), or undefined if du fails. */
export async function diskUsageBytes(dir: string): Promise<number | undefined> {
  const result = await runProcess({
    file: "/usr/bin/du",
    args: ["-s", "-B1", "-x", dir],
    cwd: "/",
    env: { PATH: "/usr/bin:/bin", LC_ALL: "C" },
    timeoutMs: 120_000,
    outputLimitBytes: 4_096,
  }).catch(() => undefined);
  const bytes = Number(/^(\d+)\s/.exec(result?.output ?? "")?.[1]);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/**
 * @throws PatchwrightError `policy_violation` when the workspace holds more than `limitBytes`.
 */
export async function checkWorkspaceSize(root: string, limitBytes: number): Promise<void> {
  const used = await diskUsageBytes(root);
  if (used === undefined || used <= limitBytes) return;
  throw new PatchwrightError(
    "policy_violation",
    `The workspace grew to ${mib(used)} MiB, over its limit of ${mib(limitBytes)} MiB: a command wrote too much. ` +
      "Delete what it generated (build output, caches, logs) before running more commands.",
  );
}

function mib(bytes: number): number {
  return Math.round(bytes / (1024 * 1024));
}
