/**
 * The sandbox: runs `bash -c <command>` for repository code (builds, tests,
 * the agent's `run_command`) under bubblewrap. See `build-bwrap-args.ts` for
 * the isolation policy, `sandbox-env.ts` for the environment allowlist,
 * `sandbox-limits.ts` for the resource limits, `sandbox-user.ts` for who
 * commands are on the host, and `sandbox-network.ts` for the setup phase's network.
 */
import { existsSync } from "node:fs";
import { lstat, mkdtemp, realpath, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PatchwrightError } from "../errors.ts";
import { BWRAP_COMMAND_ARGS, buildBwrapArgs, MERGE_STDERR_SCRIPT, type SandboxNetwork } from "./build-bwrap-args.ts";
import { DEFAULT_BWRAP_PATH, probeBwrap } from "./probe-bwrap.ts";
import { resolveSandboxCwd } from "./resolve-sandbox-cwd.ts";
import { runProcess } from "./run-process.ts";
import { buildSandboxEnv } from "./sandbox-env.ts";
import { type ExtraBind, resolveExtraBinds } from "./sandbox-extra-binds.ts";
import { resolveSandboxLimits, type SandboxLimits } from "./sandbox-limits.ts";
import { checkWorkspaceSize, workspaceOverLimit } from "./sandbox-disk-usage.ts";
import { watchDiskUsage } from "./sandbox-disk-watchdog.ts";
import { grantSandboxAccess } from "./sandbox-grant-access.ts";
import { SANDBOX_HOME, SANDBOX_WORKSPACE } from "./sandbox-paths.ts";
import { describeSystemPaths } from "./sandbox-system-paths.ts";
import { type OpenedNetwork, openSandboxNetwork, type SetupNetwork } from "./sandbox-network.ts";
import { dropPrivilegesCommand, resolveSandboxUser, type SandboxUser } from "./sandbox-user.ts";
import type { CommandResult, RunOptions, Sandbox } from "./types.ts";

export type { SetupNetwork } from "./sandbox-network.ts";

export interface CreateSandboxOptions {
  /**
   * For a root worker: the unprivileged host user its sandboxes run as.
   * Default: the `patchwright-sandbox` user of /etc/passwd, else nobody
   * (65534). Ignored for an unprivileged worker (its own user is used).
   */
  readonly sandboxUser?: SandboxUser;
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

/** Whether `bwrapPath` already ran a sandbox in this process: later sandboxes skip the probe, so only an unusual failure can stop them. */
export function bwrapKnownUsable(bwrapPath: string = DEFAULT_BWRAP_PATH): boolean {
  return usableBwrap.has(bwrapPath);
}

export const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * Creates the sandbox for one workspace, checking bubblewrap first.
 * @throws PatchwrightError `sandbox_unavailable` when bubblewrap is missing or
 *   unusable and `allowUnsandboxed` is not set, or when a root worker cannot
 *   hand its sandbox user the workspace (no setpriv, an unreachable parent
 *   directory); the message says how to fix it.
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
  const user = await resolveSandboxUser(options.sandboxUser);
  const systemPaths = await describeSystemPaths();
  // A command's own binds are checked together with the sandbox's, so neither can cover the other.
  const bindsFor = async (runOptions: RunOptions): Promise<readonly ExtraBind[]> =>
    runOptions.binds === undefined || runOptions.binds.length === 0 ? extraBinds : resolveExtraBinds([...extraBinds, ...runOptions.binds], root);
  const writableOf = (binds: readonly ExtraBind[]): string[] => binds.filter((bind) => bind.writable).map((bind) => bind.hostPath);
  // Before every command: what the host wrote since (git, the file tools) becomes the sandbox user's.
  const grant = async (network: SandboxNetwork, binds: readonly ExtraBind[]): Promise<void> => {
    if (user === undefined) return;
    const proxy = network.kind === "proxy" ? [network.socketPath, network.nodePath] : [];
    const readable = binds.filter((bind) => !bind.writable).map((bind) => bind.hostPath);
    await grantSandboxAccess({ user, root, writable: writableOf(binds), readable: [...readable, ...proxy] });
  };
  // bwrap reads its options from fd 3: its command line (/proc/1/cmdline inside) shows no host path.
  // The command after `--` must stay on the command line (bwrap does not take it from --args).
  const spawnableFor = (args: string[]): { file: string; args: string[]; fd3Data: string } => {
    // Not indexOf("--"): an environment value or the command itself may be "--".
    const end = args.length - BWRAP_COMMAND_ARGS;
    if (args[end] !== "--") throw new PatchwrightError("internal", "The bubblewrap command line does not end with its command; fix buildBwrapArgs.");
    const visible = ["--args", "3", ...args.slice(end)];
    return {
      ...(user === undefined ? { file: bwrapPath, args: visible } : dropPrivilegesCommand(user, bwrapPath, visible)),
      fd3Data: args.slice(0, end).map((arg) => `${arg}\0`).join(""),
    };
  };
  const argsFor = async (command: string, runOptions: RunOptions, env: Record<string, string>, network: SandboxNetwork, binds: readonly ExtraBind[]): Promise<string[]> =>
    buildBwrapArgs({
      root,
      hasGitDir: await isGitEntry(path.join(root, ".git")),
      cwd: resolveSandboxCwd(SANDBOX_WORKSPACE, runOptions.cwd),
      network,
      env,
      systemPaths,
      extraBinds: binds,
      limits: sandboxLimits,
      command,
    });

  // bubblewrap either works on this host or not: once it has, later workspaces skip the probe.
  const probe = usableBwrap.has(bwrapPath)
    ? ({ usable: true } as const)
    : await grant({ kind: "none" }, extraBinds).then(
        async () => probeBwrap(spawnableFor(await argsFor("true", {}, buildSandboxEnv(SANDBOX_HOME), { kind: "none" }, extraBinds)), bwrapPath, root),
        (error: unknown) => {
          if (error instanceof PatchwrightError) throw error;
          throw new PatchwrightError("sandbox_unavailable", `Cannot prepare the workspace for the sandbox user: ${String(error)}`, { cause: error });
        },
      );
  if (probe.usable) usableBwrap.add(bwrapPath);
  if (!probe.usable) {
    if (options.allowUnsandboxed === true) return createHostSandbox(root, limits);
    throw new PatchwrightError("sandbox_unavailable", unavailableMessage(probe.reason));
  }
  return {
    root,
    isolation: "bubblewrap",
    notes: [],
    async run(command, runOptions = {}) {
      const env = buildSandboxEnv(SANDBOX_HOME, runOptions.env);
      // Refuse a bad cwd before starting anything.
      resolveSandboxCwd(SANDBOX_WORKSPACE, runOptions.cwd);
      const binds = await bindsFor(runOptions);
      let opened: OpenedNetwork | undefined;
      try {
        opened = await openSandboxNetwork(setupNetwork, runOptions.network === true, user, runOptions.allowedHosts, runOptions.publicHosts);
        await grant(opened.network, binds);
        const spawnable = spawnableFor(await argsFor(command, runOptions, env, opened.network, binds));
        // Through setpriv, a missing bwrap would be exit code 127: a "failing command", not a broken worker.
        if (!existsSync(bwrapPath)) throw new PatchwrightError("sandbox_unavailable", unavailableMessage(`${bwrapPath} is not installed (any more)`));
        // Over the workspace limit while it runs: the same whole-tree kill as a timeout or /agent stop.
        const overLimit = new AbortController();
        const diskDirs = [root, ...writableOf(binds)];
        const watchdog = watchDiskUsage({ dirs: diskDirs, limitBytes: sandboxLimits.workspaceBytes, onExceeded: () => overLimit.abort() });
        const ran = await runProcess({
          ...spawnable,
          cwd: root,
          // bwrap itself gets only the allowlist too: it stays PID 1 of the
          // sandbox, and its /proc/1/environ is readable from inside.
          env,
          timeoutMs: runOptions.timeoutMs ?? limits.defaultTimeoutMs,
          signal: runOptions.signal ? AbortSignal.any([runOptions.signal, overLimit.signal]) : overLimit.signal,
          outputLimitBytes: limits.outputLimitBytes,
        }).then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        );
        const exceeded = await watchdog.stop();
        if (exceeded !== undefined) throw workspaceOverLimit(exceeded, sandboxLimits.workspaceBytes, true);
        if ("error" in ran) throw ran.error;
        const result = ran.value;
        await checkWorkspaceSize(diskDirs, sandboxLimits.workspaceBytes);
        return { command, ...result, output: result.output + opened.refusedNote() };
      } catch (error) {
        // Anything that kept the command from starting (a spawn error: EMFILE, ENOMEM, ENOENT;
        // the proxy or the workspace's ownership) fails this job with a report, never the worker.
        if (error instanceof PatchwrightError) throw error;
        const code = (error as NodeJS.ErrnoException).code ?? "";
        const message =
          `Cannot start the sandbox for this command (${String(error)}). The worker is short of something (open files, ` +
          "memory, processes) or its workspace is gone; nothing ran. Check the worker's limits (systemd LimitNOFILE=, TasksMax=) if it recurs.";
        throw new PatchwrightError("sandbox_unavailable", message, {
          cause: error,
          // Out of file descriptors, memory or processes for now: worth another attempt of the job.
          retryable: ["EMFILE", "ENFILE", "ENOMEM", "EAGAIN"].includes(code),
        });
      } finally {
        await opened?.close().catch(() => undefined);
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
