/** Commits a workspace's changes as the app, in the host's repository only. */
import { PatchwrightError } from "../errors.ts";
import { redact } from "../security/redact.ts";
import { runHostGit, writeCommit } from "./host-repository.ts";
import type { GitResult } from "./run-git.ts";
import { snapshotWorkspace } from "./snapshot-workspace.ts";
import type { Workspace } from "./types.ts";

export interface CommitAuthor {
  readonly name: string;
  readonly email: string;
}

export interface CommitTreeOptions {
  readonly workspace: Workspace;
  /** The tree to commit: a `WorkspaceDiff`'s, the one the diff policy checked. */
  readonly tree: string;
  readonly message: string;
  /** Author and committer, e.g. `patchwright[bot]`. */
  readonly author: CommitAuthor;
}

/**
 * Commits `tree` on the workspace's HEAD, then moves HEAD (and the index, for
 * the sandbox's own git) to the new commit. Host git builds the commit from
 * objects alone; it never looks at the workspace's files.
 * @returns the new commit sha.
 * @throws PatchwrightError `internal` (not retryable) when the tree is HEAD's
 *   own (nothing to commit) or when git fails.
 */
export async function commitTree(options: CommitTreeOptions): Promise<string> {
  const dir = options.workspace.dir;
  const git = (args: readonly string[], extra: { env?: Record<string, string>; input?: string } = {}) => runHostGit(dir, args, extra);
  const headTree = await git(["rev-parse", "--verify", "HEAD^{tree}"]);
  if (headTree.exitCode !== 0) fail("git rev-parse", headTree);
  if (headTree.stdout.trim() === options.tree) {
    throw new PatchwrightError("internal", `Nothing to commit in ${dir}: the change is empty. Check the diff before committing.`, { retryable: false });
  }
  const commit = await writeCommit(dir, { tree: options.tree, parent: "HEAD", message: options.message, author: options.author });
  if ("step" in commit) fail(commit.step, commit.result);
  const { sha } = commit;
  const moved = await git(["update-ref", "--no-deref", "HEAD", sha]);
  if (moved.exitCode !== 0) fail("git update-ref", moved);
  const indexed = await git(["read-tree", sha]);
  if (indexed.exitCode !== 0) fail("git read-tree", indexed);
  return sha;
}

/** Snapshots the workspace (`exclude` left out) and commits it: for a change no policy looks at between the two. */
export async function commitAll(options: Omit<CommitTreeOptions, "tree"> & { readonly exclude?: readonly string[] }): Promise<string> {
  const tree = await snapshotWorkspace(options.workspace, options.exclude ? { exclude: options.exclude } : {});
  return commitTree({ ...options, tree });
}

function fail(step: string, result: GitResult): never {
  throw new PatchwrightError("internal", redact(`Committing the fix failed (${step}): ${result.stderr.trim() || `exit code ${result.exitCode}`}.`));
}
