/** The workspace's contracts: the checkout a job works in, its sandboxed command runner, its diff. */
import type { RepoCachePaths } from "./mirror-cache-paths.ts";
import type { ExtraBind } from "./sandbox-extra-binds.ts";
import type { MirrorFetch } from "./mirror-refresh.ts";

export interface RunOptions {
  /** Allow network access (setup/install phase only). Default false. */
  readonly network?: boolean;
  /** Kill the whole process tree after this many ms. */
  readonly timeoutMs?: number;
  /** Extra environment variables (already allowlisted by the caller). */
  readonly env?: Readonly<Record<string, string>>;
  /** Working directory relative to the workspace root. */
  readonly cwd?: string;
  /** Aborting kills the command's whole process tree (`/agent stop`, a shutting-down worker). */
  readonly signal?: AbortSignal;
  /**
   * Host paths mounted for this command only (a provisioned toolchain, the
   * job's virtualenv), checked like the sandbox's `extraBinds` and together
   * with them. A sandbox without isolation cannot mount: callers put host
   * paths on PATH there instead (see `toolchains/with-toolchains.ts`).
   */
  readonly binds?: readonly ExtraBind[];
  /**
   * More `host` or `host:port` entries the setup network's proxy allows for
   * this command (the job's package index), on top of the sandbox's. Only
   * with `network: true` and the `registries` setup network.
   */
  readonly allowedHosts?: readonly string[];
  /** More setup hosts for this command, reached only at public addresses: a repository's own `setup.allowed_hosts`. */
  readonly publicHosts?: readonly string[];
}

export interface CommandResult {
  readonly command: string;
  /** Exit code; 124 on timeout, 128+n when killed by signal n. */
  readonly exitCode: number;
  /** stdout and stderr interleaved in arrival order, capped (see `truncated`). */
  readonly output: string;
  readonly durationMs: number;
  readonly timedOut: boolean;
  readonly truncated: boolean;
}

/**
 * How commands are isolated: `bubblewrap` (the default and the only safe
 * one), or `host` when bubblewrap is unavailable and the operator opted out
 * with PATCHWRIGHT_ALLOW_UNSANDBOXED=1 (no file system or network isolation;
 * environment allowlist and timeouts still apply).
 */
export type SandboxIsolation = "bubblewrap" | "host";

/** Runs shell commands inside one workspace. Never throws on a non-zero exit. */
export interface Sandbox {
  /** Absolute path of the workspace on the host. */
  readonly root: string;
  /** What this sandbox could not enforce on this host, for the job's record. */
  readonly notes?: readonly string[];
  /** How commands are isolated; absent in test doubles. Report `host` loudly. */
  readonly isolation?: SandboxIsolation;
  run(command: string, options?: RunOptions): Promise<CommandResult>;
}

/** A checkout of the repository at the commit under repair, with its sandbox. */
export interface Workspace {
  /** Canonical host path of the checkout. */
  readonly dir: string;
  readonly sandbox: Sandbox;
  /**
   * Deletes the checkout. Idempotent. With a cache and `backgroundRemoval`,
   * it returns once `dir` is gone and nothing of the job can be used any more
   * (its npm blobs promoted); the files are deleted in the background:
   * `drainWorkspaceRemovals()` waits for them.
   */
  dispose(): Promise<void>;
  /** With a cache: where it lives and what this open downloaded into the mirror. */
  readonly cache?: { readonly paths: RepoCachePaths; readonly fetched: MirrorFetch };
}

export type FileChangeStatus = "added" | "modified" | "deleted" | "type_changed";

export interface FileChange {
  /** Path relative to the repository root. */
  readonly path: string;
  readonly status: FileChangeStatus;
  /** Lines added; 0 for binary files. */
  readonly insertions: number;
  /** Lines removed; 0 for binary files. */
  readonly deletions: number;
  readonly binary: boolean;
  /** git's file mode before (`100644`, `100755`, `120000` a symbolic link, `160000` a submodule; `000000` absent). */
  readonly oldMode: string;
  /** git's file mode after. */
  readonly newMode: string;
}

export interface WorkspaceDiff {
  /** Unified diff (binary files appear as "Binary files ... differ"). Empty when nothing changed. */
  readonly patch: string;
  /** Sorted by path. A rename appears as a deletion plus an addition. */
  readonly files: FileChange[];
  readonly insertions: number;
  readonly deletions: number;
  /** The tree of the workspace's files this diff was taken from, in the host's repository: what a commit of it holds. */
  readonly tree: string;
}
