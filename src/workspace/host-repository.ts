/**
 * Host-side git for one workspace, by construction away from anything the
 * sandbox wrote: git runs on the checkout's `.git` directory as a bare
 * repository (no working tree, so no `.gitattributes`, filters, submodules,
 * nested repositories or `.gitmodules` of the workspace are ever read), from
 * a neutral working directory. That `.git` is created by the host before any
 * sandboxed command and is mounted read-only in the sandbox, so nothing in it
 * came from repository code. Changes enter it only as a pack of objects,
 * checked by `git index-pack --strict` (see `snapshot-workspace.ts`).
 */
import path from "node:path";
import { type GitResult, runGit, type RunGitOptions } from "./run-git.ts";

/** Where host git runs: nothing of the workspace, nothing writable. */
const NEUTRAL_CWD = "/";

/** The checkout's git directory, the host's own. */
export function hostGitDir(workspaceDir: string): string {
  return path.join(workspaceDir, ".git");
}

/** Runs `git <args>` on the workspace's git directory as a bare repository. */
export function runHostGit(workspaceDir: string, args: readonly string[], options: Omit<RunGitOptions, "cwd"> = {}): Promise<GitResult> {
  return runGit(["-c", "core.bare=true", ...args], {
    ...options,
    cwd: NEUTRAL_CWD,
    env: { ...options.env, GIT_DIR: hostGitDir(workspaceDir) },
  });
}

/**
 * Writes a commit of `tree` on `parent` as `author` into the host's repository
 * (no ref moves): the message goes through stdin, tidied as `git commit -F`
 * would. Resolves the failed step's result instead of throwing, for the caller's own error.
 */
export async function writeCommit(
  workspaceDir: string,
  commit: { tree: string; parent: string; message: string; author: { name: string; email: string } },
  options: Pick<RunGitOptions, "timeoutMs"> = {},
): Promise<{ sha: string } | { step: string; result: GitResult }> {
  const message = await runGit(["stripspace"], { input: commit.message });
  if (message.exitCode !== 0) return { step: "git stripspace", result: message };
  const { name, email } = commit.author;
  const identity = { GIT_AUTHOR_NAME: name, GIT_AUTHOR_EMAIL: email, GIT_COMMITTER_NAME: name, GIT_COMMITTER_EMAIL: email };
  const written = await runHostGit(workspaceDir, ["-c", "commit.gpgsign=false", "commit-tree", commit.tree, "-p", commit.parent, "-F", "-"], {
    ...options,
    env: identity,
    input: message.stdout,
  });
  return written.exitCode === 0 ? { sha: written.stdout.trim() } : { step: "git commit-tree", result: written };
}
