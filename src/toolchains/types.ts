/**
 * The toolchains contract: what a job asks for (resolved from the failing
 * job's setup steps and the repository's files), and what the host cache
 * provides (a read-only directory per tool and version, mounted into the
 * sandbox and put first on PATH).
 */

/**
 * The tools Patchwright provisions itself. `npm` comes with a provisioned
 * Node.js (its own entry); a request for it only pins which version.
 */
export type ToolName = "node" | "npm" | "pnpm" | "yarn" | "bun" | "python";

/** One tool the job needs, and where that need was read. */
export interface ToolRequest {
  readonly tool: ToolName;
  /**
   * What was asked for, as written: an exact version (`20.11.1`), a prefix
   * (`20`, `3.12`), a range (`>=18 <21`, `^9`), or an alias (`lts/*`, `latest`).
   */
  readonly spec: string;
  /** Where it was read, for people: `actions/setup-node node-version (matrix)`, `.nvmrc`, `packageManager`. */
  readonly source: string;
}

/** A tool ready to use: its host directory and where it appears in the sandbox. */
export interface ProvisionedTool {
  readonly tool: ToolName;
  /** The exact version provided (`20.11.1`). */
  readonly version: string;
  /** Canonical host path of the cache entry (read-only). */
  readonly hostDir: string;
  /** Where the entry is mounted inside the sandbox (`/opt/patchwright/node-20.11.1`). */
  readonly sandboxDir: string;
  /** Directories of the entry that go on PATH, relative to it (`bin`). */
  readonly binDirs: readonly string[];
  /** Variables the tool needs (`COREPACK_ENABLE_STRICT=0`, ...); never a credential. */
  readonly env?: Readonly<Record<string, string>>;
  /** True when the cache already held it (nothing was downloaded). */
  readonly cached: boolean;
  /** How long provisioning took (download, verification, unpacking). */
  readonly durationMs: number;
}

/** What a job runs with: each tool provided, and what could not be. */
export interface ToolchainSet {
  readonly tools: readonly ProvisionedTool[];
  /**
   * A writable per-job directory bound into the sandbox (a Python virtualenv),
   * with the variables that point tools at it; absent when not needed.
   */
  readonly jobDirs?: readonly { readonly hostDir: string; readonly sandboxDir: string; readonly binDirs: readonly string[] }[];
  /** Variables for every command of the job (`VIRTUAL_ENV`, `PIP_INDEX_URL`, ...). */
  readonly env?: Readonly<Record<string, string>>;
  /** `host:port` entries the setup network allows for the job's commands (its package index); see `RunOptions.allowedHosts`. */
  readonly setupHosts?: readonly string[];
  /** Setup hosts the repository asked for: reached only at public addresses (`RunOptions.publicHosts`). */
  readonly repositoryHosts?: readonly string[];
}

/** Why a requested tool could not be provided: the report names it and what to set. */
export interface MissingTool {
  readonly request: ToolRequest;
  /** One sentence: what failed (no such version, registry refused, no matching interpreter). */
  readonly reason: string;
  /** What a maintainer or operator can set instead. */
  readonly advice: string;
}
