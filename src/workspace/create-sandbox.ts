/**
 * The sandbox: runs `bash -c <command>` for repository code (builds, tests,
 * the agent's `run_command`) under bubblewrap. See `build-bwrap-args.ts` for
 * the isolation policy, `sandbox-env.ts` for the environment allowlist,
 * `sandbox-limits.ts` (and `limit-process-count.ts` for a root worker) for
 * the resource limits, and `sandbox-network.ts` for the setup phase's network.
 */
import { lstat, mkdtemp, readlink, realpath, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PatchwrightError } from "../errors.ts";
import { buildBwrapArgs, MERGE_STDERR_SCRIPT, type SandboxNetwork, type SystemPath } from "./build-bwrap-args.ts";
import { createPidsCgroup, findPidsCgroupParent, joinCgroupCommand, type PidsCgroup, ROOT_WITHOUT_CGROUP_MESSAGE } from "./limit-process-count.ts";
import { DEFAULT_BWRAP_PATH, probeBwrap } from "./probe-bwrap.ts";
import { resolveSandboxCwd } from "./resolve-sandbox-cwd.ts";
import { runProcess } from "./run-process.ts";
import { buildSandboxEnv } from "./sandbox-env.ts";
import { type ExtraBind, resolveExtraBinds } from "./sandbox-extra-binds.ts";
import { resolveSandboxLimits, type SandboxLimits } from "./sandbox-limits.ts";
import { SANDBOX_HOME, SANDBOX_WORKSPACE, SYSTEM_PATHS } from "./sandbox-paths.ts";
import { type OpenedNetwork, openSandboxNetwork, type SetupNetwork } from "./sandbox-network.ts";
import type { CommandResult, RunOptions, Sandbox } from "./types.ts";

export type { SetupNetwork } from "./sandbox-network.ts";

export interface CreateSandboxOptions {
  /**
   * A root worker without a pids cgroup refuses to run commands instead of
   * running them without a process limit (default false: it runs, and says so
   * in `Sandbox.notes`).
   */
  readonly requireProcessLimit?: boolean;
  /** The workspace directory on the host; it must exist. */
  readonly root: string;
  /**
   * Run on the host when bubblewrap is missing or unusable. Off by default;
   * the app maps it from PATCHWRIGHT_ALLOW_UNSANDBOXED=1. Has no effect when
   * bubblewrap works.
   */
  readonly allowUnsandboxed?: boolean;
  /** Output kept per command (head + tail). Default 1 MiB. */
  readonly outputLimitBytes?: number;
  /** Timeout of a command without `timeoutMs`. Default 10 minutes. */
  readonly defaultTimeoutMs?: number;
  /** Path of the bubblewrap binary. Default `/usr/bin/bwrap`; injectable for tests. */
  readonly bwrapPath?: string;
  /** Processes, memory per process and /tmp size; see `DEFAULT_SANDBOX_LIMITS`. Bubblewrap only. */
  readonly limits?: Partial<SandboxLimits>;
  /** Host paths mounted into the sandbox (a package cache, ...); checked by `resolveExtraBinds`. */
  readonly extraBinds?: readonly ExtraBind[];
  /** The network of the setup phase; default `{ mode: "registries" }`. */
  readonly setupNetwork?: SetupNetwork;
}

export const DEFAULT_OUTPUT_LIMIT_BYTES = 1024 * 1024;

/** bubblewrap binaries that have already run a sandbox in this process. */
const usableBwrap = new Set<string>();
export const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * Creates the sandbox for one workspace, checking bubblewrap first.
 * @throws PatchwrightError `sandbox_unavailable` when bubblewrap is missing or
 *   unusable and `allowUnsandboxed` is not set, or when a root worker has no
 *   pids cgroup for the process limit; the message says how to fix it.
 *   `internal` for invalid `limits` or `extraBinds`.
 */
export async function createSandbox(options: CreateSandboxOptions): Promise<Sandbox> {
  const root = await canonicalDir(options.root);
  const limits = {
    outputLimitBytes: options.outputLimitBytes ?? DEFAULT_OUTPUT_LIMIT_BYTES,
    defaultTimeoutMs: options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
  const sandboxLimits = resolveSandboxLimits(options.limits);
  const extraBinds = await resolveExtraBinds(options.extraBinds ?? [], root);
  const setupNetwork = options.setupNetwork ?? { mode: "registries" };
  const bwrapPath = options.bwrapPath ?? DEFAULT_BWRAP_PATH;
  const systemPaths = await describeSystemPaths(SYSTEM_PATHS);
  const argsFor = async (command: string, runOptions: RunOptions, env: Record<string, string>, network: SandboxNetwork): Promise<string[]> =>
    buildBwrapArgs({
      root,
      hasGitDir: await isGitEntry(path.join(root, ".git")),
      cwd: resolveSandboxCwd(SANDBOX_WORKSPACE, runOptions.cwd),
      network,
      env,
      systemPaths,
      extraBinds,
      limits: sandboxLimits,
      command,
    });

  // bubblewrap either works on this host or not: once it has, later workspaces skip the probe.
  const probe = usableBwrap.has(bwrapPath)
    ? ({ usable: true } as const)
    : await probeBwrap(bwrapPath, await argsFor("true", {}, buildSandboxEnv(SANDBOX_HOME), { kind: "none" }), root);
  if (probe.usable) usableBwrap.add(bwrapPath);
  if (!probe.usable) {
    if (options.allowUnsandboxed === true) return createHostSandbox(root, limits);
    throw new PatchwrightError("sandbox_unavailable", unavailableMessage(probe.reason));
  }
  // The kernel exempts uid 0 from RLIMIT_NPROC: a root worker needs a pids cgroup.
  // Without one, a root worker still runs (every other limit holds) unless the operator requires
  // the process limit: refusing outright would stop the app on hosts without cgroup delegation.
  const cgroupParent = process.getuid?.() === 0 ? await findPidsCgroupParent() : undefined;
  const notes: string[] = [];
  if (process.getuid?.() === 0 && cgroupParent === undefined) {
    if (options.requireProcessLimit === true) throw new PatchwrightError("sandbox_unavailable", ROOT_WITHOUT_CGROUP_MESSAGE);
    notes.push(`No process limit: ${ROOT_WITHOUT_CGROUP_MESSAGE}`);
  }

  return {
    root,
    isolation: "bubblewrap",
    notes,
    async run(command, runOptions = {}) {
      const env = buildSandboxEnv(SANDBOX_HOME, runOptions.env);
      // Refuse a bad cwd before starting anything.
      resolveSandboxCwd(SANDBOX_WORKSPACE, runOptions.cwd);
      let cgroup: PidsCgroup | undefined;
      let opened: OpenedNetwork | undefined;
      try {
        opened = await openSandboxNetwork(setupNetwork, runOptions.network === true);
        let spawnable = { file: bwrapPath, args: await argsFor(command, runOptions, env, opened.network) };
        if (cgroupParent !== undefined) {
          // One more than the limit: bwrap's own outer process is in the cgroup too.
          cgroup = await createPidsCgroup(cgroupParent, sandboxLimits.maxProcesses + 1);
          if (cgroup === undefined && options.requireProcessLimit === true) throw new PatchwrightError("sandbox_unavailable", ROOT_WITHOUT_CGROUP_MESSAGE);
          if (cgroup !== undefined) spawnable = joinCgroupCommand(cgroup, spawnable.file, spawnable.args);
        }
        const result = await runProcess({
          ...spawnable,
          cwd: root,
          // bwrap itself gets only the allowlist too: it stays PID 1 of the
          // sandbox, and its /proc/1/environ is readable from inside.
          env,
          timeoutMs: runOptions.timeoutMs ?? limits.defaultTimeoutMs,
          ...(runOptions.signal ? { signal: runOptions.signal } : {}),
          outputLimitBytes: limits.outputLimitBytes,
        }).catch((error: unknown) => {
          // Only a spawn failure lands here (bwrap removed since the probe, or the workspace deleted).
          throw new PatchwrightError("sandbox_unavailable", unavailableMessage(`${bwrapPath} cannot be started (${String(error)})`), {
            cause: error,
          });
        });
        return { command, ...result, output: result.output + opened.refusedNote() };
      } finally {
        await cgroup?.remove();
        await opened?.close();
      }
    },
  };
}

/**
 * The operator's explicit opt-out: same environment allowlist, timeout and
 * output cap, but no file system or network isolation.
 */
function createHostSandbox(root: string, limits: { outputLimitBytes: number; defaultTimeoutMs: number }): Sandbox {
  return {
    root,
    isolation: "host",
    async run(command, runOptions = {}): Promise<CommandResult> {
      const cwd = resolveSandboxCwd(root, runOptions.cwd);
      // A throwaway HOME per command, so nothing the host user configured leaks in.
      const home = await mkdtemp(path.join(tmpdir(), "patchwright-home-"));
      try {
        const result = await runProcess({
          file: "/bin/bash",
          args: ["-c", MERGE_STDERR_SCRIPT, "patchwright-sandbox", command],
          cwd,
          env: buildSandboxEnv(home, runOptions.env),
          timeoutMs: runOptions.timeoutMs ?? limits.defaultTimeoutMs,
          ...(runOptions.signal ? { signal: runOptions.signal } : {}),
          outputLimitBytes: limits.outputLimitBytes,
          killGroupOnExit: true,
        }).catch((error: unknown) => ({
          // Spawning failed (for example a missing cwd): a result, like bwrap's own "Can't chdir".
          exitCode: 127,
          output: `patchwright: cannot run the command: ${(error as Error).message}\n`,
          truncated: false,
          timedOut: false,
          durationMs: 0,
        }));
        return { command, ...result };
      } finally {
        await rm(home, { recursive: true, force: true });
      }
    },
  };
}

function unavailableMessage(reason: string): string {
  return (
    `Cannot run repository commands in a sandbox: ${reason}. ` +
    "Install bubblewrap 0.8 or newer on the worker (`apt-get install bubblewrap`; Debian 12, Ubuntu 24.04) and make sure unprivileged user namespaces " +
    "are allowed (`sysctl kernel.unprivileged_userns_clone=1`; in Docker, run with a seccomp profile that permits " +
    "them). Only on a machine dedicated to Patchwright, you can instead accept running untrusted code without " +
    "isolation by setting PATCHWRIGHT_ALLOW_UNSANDBOXED=1 (the allowUnsandboxed option)."
  );
}

async function canonicalDir(dir: string): Promise<string> {
  const resolved = await realpath(dir).catch(() => undefined);
  if (resolved === undefined || !(await stat(resolved)).isDirectory()) {
    throw new PatchwrightError("internal", `Workspace directory ${dir} does not exist; create it before the sandbox.`);
  }
  return resolved;
}

/** Which system paths exist on this host, and which are symlinks (merged /usr). */
async function describeSystemPaths(paths: readonly string[]): Promise<SystemPath[]> {
  const described: SystemPath[] = [];
  for (const p of paths) {
    const info = await lstat(p).catch(() => undefined);
    if (info === undefined) continue;
    if (info.isSymbolicLink()) described.push({ path: p, kind: "symlink", target: await readlink(p) });
    else if (info.isDirectory()) described.push({ path: p, kind: "dir" });
  }
  return described;
}

/**
 * A real `.git` directory (or worktree file), never a symlink: the bind source
 * is resolved on the host, so sandboxed code that planted `.git -> /tmp` in a
 * repository-less workspace would ask for the host's /tmp on its next run
 * (bwrap 0.8 happens to refuse the symlink destination, failing every later
 * command instead; we rely on neither).
 */
async function isGitEntry(p: string): Promise<boolean> {
  const info = await lstat(p).catch(() => undefined);
  return info !== undefined && (info.isDirectory() || info.isFile());
}
