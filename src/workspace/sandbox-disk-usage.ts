/**
 * The workspace is on the host's disk, with no quota of its own: RLIMIT_FSIZE
 * bounds each file a command writes, the watchdog (`sandbox-disk-watchdog.ts`)
 * stops a command that takes the workspace over its limit while it runs, and
 * this check, after every command, catches what the last sample missed. A
 * command that left the workspace over the limit fails with a report (the
 * job's setup or test phase ends there; the agent's `run_command` gets it as
 * an observation and can clean up). For a hard bound, give the workspaces
 * their own file system or a project quota (docs/0005).
 */
import { PatchwrightError } from "../errors.ts";
import { runProcess } from "./run-process.ts";

/** Bytes the directories' files occupy on disk together (hard links counted once), or undefined if du fails. */
export async function diskUsageBytes(...dirs: string[]): Promise<number | undefined> {
  const result = await runProcess({
    file: "/usr/bin/du",
    args: ["-s", "-c", "-B1", "-x", "--", ...dirs],
    cwd: "/",
    env: { PATH: "/usr/bin:/bin", LC_ALL: "C" },
    timeoutMs: 120_000,
    outputLimitBytes: 4_096,
  }).catch(() => undefined);
  // The last line is the total (`-c`).
  const bytes = Number(/^(\d+)\s+total$/m.exec(result?.output ?? "")?.[1]);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/**
 * @param dirs the workspace and its writable binds (the job's npm cache).
 * @throws PatchwrightError `policy_violation` when they hold more than `limitBytes`.
 */
export async function checkWorkspaceSize(dirs: readonly string[], limitBytes: number): Promise<void> {
  const used = await diskUsageBytes(...dirs);
  if (used === undefined || used <= limitBytes) return;
  throw workspaceOverLimit(used, limitBytes, false);
}

/** The report for a workspace over its limit; `stopped` when the watchdog killed the command. */
export function workspaceOverLimit(usedBytes: number, limitBytes: number, stopped: boolean): PatchwrightError {
  const what = stopped ? "while a command ran, so the command was stopped" : "after a command: it wrote too much";
  return new PatchwrightError(
    "policy_violation",
    `The workspace grew to ${mib(usedBytes)} MiB ${what}; that is over its limit of ${mib(limitBytes)} MiB ` +
      "(the sandbox limit workspaceBytes, which counts the checkout and its writable caches). " +
      "Delete what it generated (build output, caches, logs) before running more commands, or raise workspaceBytes.",
  );
}

function mib(bytes: number): number {
  return Math.round(bytes / (1024 * 1024));
}
