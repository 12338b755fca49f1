/**
 * The user's repository on disk, as `patchwright fix` uses it: read through
 * git objects only (HEAD, files at a commit, the user's identity) and written
 * only by adding a new branch ref. Its working tree, index and uncommitted
 * changes are never read or written.
 */
import path from "node:path";
import { PatchwrightError } from "../errors.ts";
import { SetupError } from "./cli-errors.ts";
import { hostGitDir } from "../workspace/host-repository.ts";
import { runGit } from "../workspace/run-git.ts";

export interface LocalRepository {
  /** The working tree's top directory. */
  readonly root: string;
  /** HEAD's commit. */
  readonly sha: string;
  /** HEAD's branch, or `HEAD` when detached. */
  readonly branch: string;
  /** Whether the working tree or index has changes HEAD does not (they are not part of the run). */
  readonly dirty: boolean;
}

async function git(root: string, args: readonly string[], env: Record<string, string> = {}) {
  return runGit(args, { cwd: root, env });
}

/** @throws SetupError when `dir` is not in a git repository with a commit. */
export async function openLocalRepository(dir: string): Promise<LocalRepository> {
  const top = await runGit(["rev-parse", "--show-toplevel"], { cwd: dir });
  if (top.exitCode !== 0) {
    throw new SetupError(`${dir} is not inside a git repository (${top.stderr.trim() || "git rev-parse failed"}). Run patchwright fix in a repository, or pass its directory.`);
  }
  const root = top.stdout.trim();
  const head = await git(root, ["rev-parse", "--verify", "HEAD^{commit}"]);
  if (head.exitCode !== 0) throw new SetupError(`${root} has no commit yet: commit the code to fix first.`);
  const branch = await git(root, ["symbolic-ref", "--quiet", "--short", "HEAD"]);
  // No optional locks: status must not refresh (write) the user's index.
  const status = await git(root, ["status", "--porcelain", "--untracked-files=no"], { GIT_OPTIONAL_LOCKS: "0" });
  return { root, sha: head.stdout.trim(), branch: branch.exitCode === 0 ? branch.stdout.trim() : "HEAD", dirty: status.stdout.trim() !== "" };
}

/** A file's text at `sha`, or undefined when it is not there. */
export async function readFileAt(root: string, sha: string, file: string): Promise<string | undefined> {
  const shown = await git(root, ["cat-file", "blob", `${sha}:${file}`]);
  return shown.exitCode === 0 ? shown.stdout : undefined;
}

/** The user's git identity (the repository's config, then `~/.gitconfig`), or Patchwright's. */
export async function userIdentity(root: string, home: string | undefined): Promise<{ name: string; email: string }> {
  const env: Record<string, string> = home ? { GIT_CONFIG_GLOBAL: path.join(home, ".gitconfig") } : {};
  const [name, email] = await Promise.all([git(root, ["config", "user.name"], env), git(root, ["config", "user.email"], env)]);
  if (name.exitCode === 0 && email.exitCode === 0 && name.stdout.trim() && email.stdout.trim()) return { name: name.stdout.trim(), email: email.stdout.trim() };
  return { name: "patchwright", email: "patchwright@users.noreply.github.com" };
}

/**
 * Adds `refs/heads/<branch>` to the user's repository at the workspace's HEAD,
 * fetched from the workspace's host repository. An existing branch is never
 * moved: that is `push_rejected`, and the caller picks another name.
 */
export async function addBranch(root: string, workspaceDir: string, branch: string): Promise<void> {
  const ref = `refs/heads/${branch}`;
  const valid = await runGit(["check-ref-format", ref]);
  if (valid.exitCode !== 0) throw new PatchwrightError("push_failed", `"${branch}" is not a valid branch name.`, { retryable: false });
  const exists = await git(root, ["rev-parse", "--verify", "--quiet", ref]);
  if (exists.exitCode === 0) throw new PatchwrightError("push_rejected", `Branch ${branch} already exists in ${root}; it is left as it is.`, { retryable: false });
  const fetched = await git(root, ["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", hostGitDir(workspaceDir), `HEAD:${ref}`]);
  if (fetched.exitCode !== 0) {
    throw new PatchwrightError("push_failed", `Adding branch ${branch} to ${root} failed: ${fetched.stderr.trim() || `exit code ${fetched.exitCode}`}.`, { retryable: false });
  }
}
