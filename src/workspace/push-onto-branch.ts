/**
 * Adds one commit on top of an existing branch, as a compare-and-swap: the
 * push lands only while the branch is still at the commit the fix was built
 * on, and is rejected, never forced, when someone moved it. This is the one
 * write outside `patchwright/` (see `push-branch.ts`): a same-repository pull
 * request's own branch, or a `patchwright/` branch a previous job opened a
 * pull request from. The default branch is refused.
 */
import { PatchwrightError } from "../errors.ts";
import { createGitRedactor, gitAuthEnv, publicCloneUrl } from "./git-auth-env.ts";
import { runHostGit, writeCommit } from "./host-repository.ts";
import { type GitResult, runGit } from "./run-git.ts";

export interface PushOntoBranchOptions {
  /** The workspace whose host repository holds `tree`. */
  readonly dir: string;
  readonly cloneUrl: string;
  readonly token: string;
  /** The branch to add the commit to (`feature`, `patchwright/fix-1a2b3c4`). */
  readonly branch: string;
  /** Where `branch` must still be: the new commit's parent. */
  readonly expectedSha: string;
  /** The tree to commit (a verified diff's). */
  readonly tree: string;
  readonly message: string;
  /** Author and committer. */
  readonly author: { readonly name: string; readonly email: string };
  /** Never pushed to, whatever the caller asks: the repository's default branch. */
  readonly protectedBranch: string;
  /** Default 10 minutes. */
  readonly timeoutMs?: number;
}

/** The commit now at the branch's head; `pushed` is false when the branch already held `tree` (nothing to add). */
export interface PushedOntoBranch {
  readonly sha: string;
  readonly pushed: boolean;
}

/**
 * Commits `tree` with parent `expectedSha` and pushes it with
 * `--force-with-lease=refs/heads/<branch>:<expectedSha>`: a fast-forward that
 * GitHub accepts only while the branch is at `expectedSha`.
 * @throws PatchwrightError `push_rejected` (not retryable) when the branch
 *   moved; `push_failed` for a refused branch (not retryable) or a transport
 *   error (retryable).
 */
export async function pushOntoBranch(options: PushOntoBranchOptions): Promise<PushedOntoBranch> {
  const { dir, branch, expectedSha, token } = options;
  await assertBranchOfRepository(branch, options.protectedBranch);
  if (!/^[0-9a-f]{40}$/.test(expectedSha)) refuse(branch, "the expected commit is not a full sha");
  const url = publicCloneUrl(options.cloneUrl);
  const env = gitAuthEnv(url, token);
  const timeout = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  const scrub = createGitRedactor(token);
  const git = (args: readonly string[], extra: { env?: Record<string, string>; input?: string } = {}) => runHostGit(dir, args, { ...timeout, ...extra });

  // The branch's head is needed to build on; an earlier job's branch may not be in the checkout yet.
  if (!(await hasCommit(dir, expectedSha))) {
    const fetched = await git(["fetch", "--quiet", "--no-tags", url, `refs/heads/${branch}`], { env });
    if (fetched.exitCode !== 0) throw failed(scrub, `Fetching ${branch} from ${url} failed: ${detail(fetched)}.`, true);
    if (!(await hasCommit(dir, expectedSha))) throw moved(branch, expectedSha);
  }
  const parentTree = await git(["rev-parse", "--verify", `${expectedSha}^{tree}`]);
  if (parentTree.exitCode !== 0) throw failed(scrub, `Reading ${expectedSha} failed: ${detail(parentTree)}.`, false);
  if (parentTree.stdout.trim() === options.tree) return { sha: expectedSha, pushed: false };

  const commit = await writeCommit(dir, { tree: options.tree, parent: expectedSha, message: options.message, author: options.author }, timeout);
  if ("step" in commit) throw failed(scrub, `${commit.step} failed: ${detail(commit.result)}.`, false);
  const { sha } = commit;

  // A compare-and-swap, never a force: the lease names the exact commit the branch must still be at.
  const result = await git(["push", "--quiet", "--no-verify", `--force-with-lease=refs/heads/${branch}:${expectedSha}`, url, `${sha}:refs/heads/${branch}`], { env });
  if (result.exitCode !== 0) {
    if (/\[(?:remote )?rejected\]|stale info|non-fast-forward|fetch first/i.test(result.stderr)) throw moved(branch, expectedSha);
    throw failed(scrub, `Pushing onto ${branch} at ${url} failed: ${detail(result)}. Check that the app installation has contents:write permission on the repository.`, true);
  }
  return { sha, pushed: true };
}

/**
 * Refuses the default branch and every invalid ref name.
 * @throws PatchwrightError `push_failed`, not retryable.
 */
export async function assertBranchOfRepository(branch: string, protectedBranch: string): Promise<void> {
  if (branch === protectedBranch) refuse(branch, "Patchwright never pushes to the default branch");
  const check = await runGit(["check-ref-format", `refs/heads/${branch}`]);
  if (check.exitCode !== 0) refuse(branch, "not a valid git branch name");
}

async function hasCommit(dir: string, sha: string): Promise<boolean> {
  return (await runHostGit(dir, ["cat-file", "-e", `${sha}^{commit}`])).exitCode === 0;
}

function refuse(branch: string, why: string): never {
  throw new PatchwrightError("push_failed", `Refusing to push onto branch "${branch}": ${why}.`, { retryable: false });
}

function moved(branch: string, expectedSha: string): PatchwrightError {
  return new PatchwrightError("push_rejected", `\`${branch}\` is no longer at ${expectedSha.slice(0, 7)}: someone pushed to it. Patchwright never force-pushes.`, { retryable: false });
}

function failed(scrub: (text: string) => string, message: string, retryable: boolean): PatchwrightError {
  return new PatchwrightError("push_failed", scrub(message), { retryable });
}

function detail(result: GitResult): string {
  return result.timedOut ? "git timed out" : result.stderr.trim() || `exit code ${result.exitCode}`;
}
