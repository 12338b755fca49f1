/**
 * A job's checkout from the repository's mirror: a local `git clone`, which
 * hard-links the mirror's object files (no copy, no network) into a `.git` of
 * the job's own. The checkout is then laid out exactly like a fresh clone:
 * self-contained, `origin` the credential-free URL, HEAD detached at the sha.
 *
 * Why not `git worktree` or `--shared`: see docs/0004-workspace-mirror-cache.md.
 * In short, both make the job's `.git` point into the mirror, a path the
 * sandbox does not see (git inside breaks) and that the host would then trust.
 */
import { detachAt, gitFailure } from "./clone-at-sha.ts";
import { publicCloneUrl } from "./git-auth-env.ts";
import { runGit } from "./run-git.ts";

export interface CloneFromMirrorOptions {
  readonly mirrorDir: string;
  /** Empty target directory. */
  readonly dir: string;
  readonly cloneUrl: string;
  readonly sha: string;
  /** Per git command. Default 10 minutes. */
  readonly timeoutMs?: number;
}

/**
 * Step 1, with the mirror lock held: clone (hard links when `dir` is on the
 * mirror's file system, a copy otherwise). Fast: it reads no object.
 * @throws PatchwrightError `clone_failed`.
 */
export async function cloneFromMirror(options: CloneFromMirrorOptions): Promise<void> {
  const { mirrorDir, dir } = options;
  const timeout = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  const fail = failure(options);
  // Not `--local`: that would fail instead of copying across file systems.
  // A mirror holding only keep refs warns "cloned an empty repository"; the objects are all there.
  const clone = await runGit(["clone", "--quiet", "--no-checkout", "--template=", mirrorDir, dir], timeout);
  if (clone.exitCode !== 0) fail("git clone from the cache", clone, false);
}

/**
 * Step 2, without the lock (the clone is self-contained): point `origin` at
 * the repository instead of the mirror, and write the working tree at `sha`.
 * @throws PatchwrightError `clone_failed`.
 */
export async function checkoutFromMirror(options: CloneFromMirrorOptions): Promise<void> {
  const timeout = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  const fail = failure(options);
  // Independent files (.git/config; HEAD and the index), so both at once,
  // each awaited before either failure propagates (the caller then deletes the directory).
  const [url, detached] = await Promise.allSettled([
    runGit(["remote", "set-url", "origin", publicCloneUrl(options.cloneUrl)], { cwd: options.dir, ...timeout }),
    detachAt(options.dir, options.sha, fail, timeout),
  ]);
  if (detached.status === "rejected") throw detached.reason;
  if (url.status === "rejected") throw url.reason;
  if (url.value.exitCode !== 0) fail("git remote set-url", url.value, false);
}

function failure(options: CloneFromMirrorOptions): ReturnType<typeof gitFailure> {
  // No token is involved in a local clone.
  return gitFailure(`Checking out ${publicCloneUrl(options.cloneUrl)} at ${options.sha} from the repository cache`);
}
