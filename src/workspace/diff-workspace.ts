/**
 * What the workspace changed since a commit: the patch for the PR, the
 * per-file summary with git's modes for the policy, and the tree a commit of
 * it will hold (so what is pushed is exactly what was checked). New untracked
 * files are included, .gitignore honoured, `exclude` left out. Host git never
 * reads the workspace (see `snapshot-workspace.ts`).
 */
import { diffTrees } from "./diff-trees.ts";
import { snapshotWorkspace } from "./snapshot-workspace.ts";
import type { Workspace, WorkspaceDiff } from "./types.ts";

export async function diffWorkspace(options: { workspace: Workspace; baseSha: string; exclude?: readonly string[]; signal?: AbortSignal }): Promise<WorkspaceDiff> {
  const tree = await snapshotWorkspace(options.workspace, { ...(options.exclude ? { exclude: options.exclude } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  return diffTrees(options.workspace.dir, options.baseSha, tree);
}
