/**
 * A workspace for `patchwright fix`: like `workspace/open-workspace.ts`
 * without a cache, but cloned from the user's repository on disk instead of
 * over https. The clone is a fresh directory with its own `.git`, fetched from
 * the repository's objects at `sha`: the user's working tree, index and
 * uncommitted changes play no part, and the sandbox never sees the original.
 */
import { pathToFileURL } from "node:url";
import { assertFullSha, detachAt, fetchCommit, gitFailure } from "../workspace/clone-at-sha.ts";
import { createSandbox } from "../workspace/create-sandbox.ts";
import { forkWorkspace } from "../workspace/fork-workspace.ts";
import { createTempWorkspaceDir, removeWorkspace } from "../workspace/remove-workspace.ts";
import { runGit } from "../workspace/run-git.ts";
import type { Workspace } from "../workspace/types.ts";

export interface LocalWorkspaceOptions {
  /** The user's repository (its top directory). */
  readonly repoDir: string;
  readonly sha: string;
  readonly allowUnsandboxed: boolean;
}

/**
 * @throws PatchwrightError `sandbox_unavailable` or `clone_failed`; the
 *   directory is removed before the error propagates.
 */
export async function openLocalWorkspace(options: LocalWorkspaceOptions): Promise<Workspace> {
  assertFullSha(options.sha);
  const dir = await createTempWorkspaceDir();
  try {
    // The sandbox first: a machine without bubblewrap fails before anything is copied.
    const sandbox = await createSandbox({ root: dir, allowUnsandboxed: options.allowUnsandboxed });
    const fail = gitFailure(`Copying ${options.repoDir} at ${options.sha}`);
    const init = await runGit(["init", "--quiet", "--template=", dir]);
    if (init.exitCode !== 0) fail("git init", init, false);
    await fetchCommit({ gitDir: dir, remoteUrl: pathToFileURL(options.repoDir).href, sha: options.sha, token: "", depth: 1, fail });
    await detachAt(dir, options.sha, fail);
    return { dir, sandbox, dispose: () => removeWorkspace(dir) };
  } catch (error) {
    await removeWorkspace(dir);
    throw error;
  }
}

/** A second workspace at the same commit with `base`'s installed files (one install for every fixer). */
export function forkLocalWorkspace(base: Workspace, options: LocalWorkspaceOptions): Promise<Workspace> {
  return forkWorkspace(base, () => openLocalWorkspace(options));
}
