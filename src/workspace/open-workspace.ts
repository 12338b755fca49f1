/**
 * One job's workspace in one call: a fresh directory, the repository at the
 * failing sha, and a sandbox bound to it. The sandbox is checked before the
 * clone, so a worker without bubblewrap fails fast without downloading anything.
 */
import { cloneAtSha } from "./clone-at-sha.ts";
import { createSandbox, type CreateSandboxOptions } from "./create-sandbox.ts";
import { createTempWorkspaceDir, removeWorkspace } from "./remove-workspace.ts";
import type { Sandbox } from "./types.ts";

export interface OpenWorkspaceOptions extends Omit<CreateSandboxOptions, "root"> {
  readonly cloneUrl: string;
  readonly sha: string;
  readonly token: string;
  /** Where to create the workspace directory; default the OS temp directory. */
  readonly parentDir?: string;
  /** History depth (see `cloneAtSha`); default 1. */
  readonly depth?: number;
}

export interface Workspace {
  /** Canonical host path of the checkout. */
  readonly dir: string;
  readonly sandbox: Sandbox;
  /** Deletes the checkout. Idempotent. */
  dispose(): Promise<void>;
}

/**
 * @throws PatchwrightError `sandbox_unavailable` or `clone_failed`; the
 *   directory is removed before the error propagates.
 */
export async function openWorkspace(options: OpenWorkspaceOptions): Promise<Workspace> {
  const { cloneUrl, sha, token, parentDir, depth, ...sandboxOptions } = options;
  const dir = await createTempWorkspaceDir(parentDir);
  try {
    const sandbox = await createSandbox({ ...sandboxOptions, root: dir });
    await cloneAtSha({ cloneUrl, sha, token, dir, ...(depth === undefined ? {} : { depth }) });
    return { dir, sandbox, dispose: () => removeWorkspace(dir) };
  } catch (error) {
    await removeWorkspace(dir);
    throw error;
  }
}

/** Alias of `openWorkspace` (the name used in the workspace brief). */
export const createWorkspace = openWorkspace;
