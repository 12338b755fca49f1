/**
 * Resource limits of one sandboxed command: how many processes, how much
 * memory per process, how big the private /tmp. Applied inside the sandbox,
 * after bubblewrap built the user namespace and before the command starts,
 * so they bind the command and everything it spawns and cannot be raised.
 *
 * Why rlimits and not a cgroup: a cgroup needs root or a delegated subtree,
 * which an unprivileged worker (the recommended set-up, and GitHub's runners)
 * does not have. RLIMIT_NPROC is counted per (user namespace, uid) since
 * Linux 5.14, so inside bubblewrap's own user namespace it counts this
 * sandbox's processes only. The kernel exempts uid 0 from it; sandboxed
 * commands are never uid 0 on the host (`sandbox-user.ts`), so it holds for a
 * root worker too.
 */
import { PatchwrightError } from "../errors.ts";

export interface SandboxLimits {
  /**
   * Processes and threads the command may have at once (RLIMIT_NPROC; it holds
   * for a root worker too, whose sandboxes run as an unprivileged user). Bounds fork bombs. Default 2048.
   */
  readonly maxProcesses: number;
  /**
   * Writable private memory per process (RLIMIT_DATA), in bytes. Unlike
   * RLIMIT_AS it does not count the address space V8, the JVM and Go reserve
   * without using. A per-process cap: the total is `maxProcesses` times this,
   * so give the worker itself a memory limit (systemd MemoryMax=, docker
   * --memory). Default 8 GiB.
   */
  readonly memoryBytes: number;
  /** Size of the private /tmp (which holds HOME): a tmpfs, so host memory. Default 4 GiB. */
  readonly tmpBytes: number;
  /**
   * Largest file a process may write (RLIMIT_FSIZE), anywhere: the workspace
   * is on the host's disk and has no quota of its own. Default 4 GiB.
   */
  readonly fileBytes: number;
  /**
   * What the workspace and its writable binds may hold: sampled while a
   * command runs (`sandbox-disk-watchdog.ts`, which kills it when over) and
   * checked after it (`sandbox-disk-usage.ts`). Default 20 GiB.
   */
  readonly workspaceBytes: number;
}

const GIB = 1024 * 1024 * 1024;

export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = {
  maxProcesses: 2048,
  memoryBytes: 8 * GIB,
  tmpBytes: 4 * GIB,
  fileBytes: 4 * GIB,
  workspaceBytes: 20 * GIB,
};

/** Below these a shell and a few tools cannot run at all; a typo, not a policy. */
const MINIMUMS: SandboxLimits = { maxProcesses: 8, memoryBytes: 64 * 1024 * 1024, tmpBytes: 1024 * 1024, fileBytes: 1024 * 1024, workspaceBytes: 1024 * 1024 };

/**
 * Fills in the defaults and checks each value.
 * @throws PatchwrightError `internal` naming the option and the accepted range.
 */
export function resolveSandboxLimits(limits: Partial<SandboxLimits> = {}): SandboxLimits {
  const resolved = { ...DEFAULT_SANDBOX_LIMITS, ...limits };
  for (const key of Object.keys(MINIMUMS) as (keyof SandboxLimits)[]) {
    const value = resolved[key];
    if (!Number.isSafeInteger(value) || value < MINIMUMS[key]) {
      throw new PatchwrightError(
        "internal",
        `Sandbox limit ${key} must be an integer of at least ${MINIMUMS[key]} (got ${String(value)}); fix the limits option of createSandbox.`,
      );
    }
  }
  return resolved;
}

/**
 * The shell lines that apply the limits (before `exec`ing the command). A
 * host whose hard limit is already lower keeps its own; a limit that cannot
 * be set at all stops the command (exit 125) rather than run it unbounded.
 * The core size is 0 so crashing tests do not fill the workspace with dumps.
 */
export function limitsScript(limits: SandboxLimits): string {
  return [
    "pw_limit() {",
    '  local hard; hard=$(ulimit -H "$1")',
    '  if [ "$hard" != unlimited ] && [ "$hard" -le "$2" ]; then ulimit -S "$1" "$hard"; else ulimit -S -H "$1" "$2"; fi ||',
    '    { echo "patchwright: cannot apply the sandbox limit (ulimit $1 $2)" >&2; exit 125; }',
    "}",
    `pw_limit -u ${limits.maxProcesses}`,
    `pw_limit -d ${Math.floor(limits.memoryBytes / 1024)}`,
    // bash counts -f in 1024-byte blocks.
    `pw_limit -f ${Math.floor(limits.fileBytes / 1024)}`,
    "pw_limit -c 0",
    "unset -f pw_limit",
  ].join("\n");
}
