/**
 * A job's checkout from the repository's mirror: a new repository that
 * fetches exactly the job's commit from the mirror through `git upload-pack`
 * (a pack made for it, no network), so its object store holds what that
 * commit reaches and nothing else: never a commit fetched for another job
 * (another branch, an embargoed fix). Then it is laid out exactly like a
 * fresh clone: self-contained, `origin` the credential-free URL, HEAD
 * detached at the sha, no trace of the mirror's path.
 *
 * Why not a local `git clone` (hard links), `git worktree`, `--shared` or
 * `--reference`: see docs/0004-workspace-mirror-cache.md. In short, they give
 * the job every object of the mirror, and the last three also make its `.git`
 * point into the mirror, which the sandbox does not see and the host would trust.
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
  /** History depth to copy from the mirror; default 1, 0 = the commit's full history. */
  readonly depth?: number;
  /** Per git command. Default 10 minutes. */
  readonly timeoutMs?: number;
}

/**
 * The mirror serves any commit it has (the job asks for one sha, never a
 * ref): its keep refs may have been trimmed while the commit stays. Set on
 * the command line, so mirrors made before this setting work unchanged.
 */
const UPLOAD_PACK = "git -c uploadpack.allowAnySHA1InWant=true upload-pack";

/**
 * Step 1, with the mirror lock held (a `gc` of the mirror must not delete a
 * pack under the fetch): a new repository with the commit's objects only.
 * @throws PatchwrightError `clone_failed`.
 */
export async function cloneFromMirror(options: CloneFromMirrorOptions): Promise<void> {
  const { mirrorDir, dir, sha } = options;
  const timeout = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  const fail = failure(options);
  const depth = options.depth ?? 1;
  const init = await runGit(["init", "--quiet", "--template=", dir], timeout);
  if (init.exitCode !== 0) fail("git init", init, false);
  // An exact sha and no destination ref: the pack holds that commit's closure (to `depth`);
  // `--no-write-fetch-head` keeps the mirror's host path out of the checkout.
  const fetch = await runGit(
    [
      "fetch",
      "--quiet",
      "--no-tags",
      "--no-write-fetch-head",
      ...(depth > 0 ? [`--depth=${depth}`] : []),
      `--upload-pack=${UPLOAD_PACK}`,
      mirrorDir,
      sha,
    ],
    { cwd: dir, ...timeout },
  );
  if (fetch.exitCode !== 0) fail("git fetch from the cache", fetch, false);
}

/**
 * Step 2, without the lock (the new repository is self-contained): name
 * `origin` the repository, and write the working tree at `sha`.
 * @throws PatchwrightError `clone_failed`.
 */
export async function checkoutFromMirror(options: CloneFromMirrorOptions): Promise<void> {
  const timeout = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  const fail = failure(options);
  // Independent files (.git/config; HEAD and the index), so both at once,
  // each awaited before either failure propagates (the caller then deletes the directory).
  const [remote, detached] = await Promise.allSettled([
    runGit(["remote", "add", "origin", publicCloneUrl(options.cloneUrl)], { cwd: options.dir, ...timeout }),
    detachAt(options.dir, options.sha, fail, timeout),
  ]);
  if (detached.status === "rejected") throw detached.reason;
  if (remote.status === "rejected") throw remote.reason;
  if (remote.value.exitCode !== 0) fail("git remote add", remote.value, false);
}

function failure(options: CloneFromMirrorOptions): ReturnType<typeof gitFailure> {
  // No token is involved in a fetch from the mirror.
  return gitFailure(`Checking out ${publicCloneUrl(options.cloneUrl)} at ${options.sha} from the repository cache`);
}
