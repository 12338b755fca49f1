/**
 * Pushes the workspace's HEAD to a `patchwright/*` branch. The prefix is the
 * app's whole write surface on a repository: it never pushes anywhere else,
 * whatever the caller (or a model) asks.
 */
import { PatchwrightError } from "../errors.ts";
import { createGitRedactor, gitAuthEnv, publicCloneUrl } from "./git-auth-env.ts";
import { runHostGit } from "./host-repository.ts";
import { runGit } from "./run-git.ts";

/** Branches the app may create, update and force-push. */
export const BRANCH_PREFIX = "patchwright/";

export interface PushBranchOptions {
  readonly dir: string;
  readonly cloneUrl: string;
  /** Must start with `patchwright/`. */
  readonly branch: string;
  readonly token: string;
  /** Overwrite the branch if it moved (a retried job). Default false. */
  readonly force?: boolean;
  /** Default 10 minutes. */
  readonly timeoutMs?: number;
}

/**
 * Pushes HEAD to `refs/heads/<branch>` on `cloneUrl` (the commit from `commitAll`).
 * @throws PatchwrightError `push_failed`: not retryable for a refused branch
 *   name or a rejected (non-fast-forward) update; retryable for transport errors.
 */
export async function pushBranch(options: PushBranchOptions): Promise<void> {
  const { dir, branch, token } = options;
  await assertPushableBranch(branch);
  const url = publicCloneUrl(options.cloneUrl);
  // From the host's own repository (the checkout's `.git` as a bare repository): the workspace's files play no part.
  const head = await runHostGit(dir, ["rev-parse", "--verify", "HEAD^{commit}"]);
  if (head.exitCode !== 0) {
    throw new PatchwrightError("push_failed", `Nothing to push in ${dir}: HEAD is not a commit.`, { retryable: false });
  }
  // Force only ever applies here, behind the prefix check above.
  const refspec = `${options.force === true ? "+" : ""}HEAD:refs/heads/${branch}`;
  const result = await runHostGit(dir, ["push", "--quiet", "--no-verify", url, refspec], {
    env: gitAuthEnv(url, token),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  if (result.exitCode !== 0) {
    const rejected = /\[(?:remote )?rejected\]|non-fast-forward|fetch first/i.test(result.stderr);
    const detail = result.timedOut ? "git timed out" : result.stderr.trim() || `exit code ${result.exitCode}`;
    throw new PatchwrightError(
      rejected ? "push_rejected" : "push_failed",
      createGitRedactor(token)(
        `Pushing ${branch} to ${url} failed: ${detail}. ` +
          (rejected
            ? "The branch moved or is protected; push with force for a retried job, or choose a new branch name."
            : "Check that the app installation has contents:write permission on the repository."),
      ),
      { retryable: !rejected },
    );
  }
}

/**
 * Refuses every branch outside `patchwright/` and every invalid ref name.
 * @throws PatchwrightError `push_failed`, not retryable.
 */
export async function assertPushableBranch(branch: string): Promise<void> {
  const refuse = (why: string): never => {
    throw new PatchwrightError("push_failed", `Refusing to push to branch "${branch}": ${why}.`, { retryable: false });
  };
  if (!branch.startsWith(BRANCH_PREFIX) || branch.length === BRANCH_PREFIX.length) {
    refuse(`Patchwright only pushes branches under ${BRANCH_PREFIX}, e.g. ${BRANCH_PREFIX}fix-ci-1a2b3c4`);
  }
  const check = await runGit(["check-ref-format", `refs/heads/${branch}`]);
  if (check.exitCode !== 0) refuse("not a valid git branch name");
}
