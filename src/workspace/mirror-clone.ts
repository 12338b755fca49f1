/**
 * A job's checkout from the repository's mirror: a new repository whose
 * object store is a pack the mirror makes for exactly the job's commit (no
 * network), so it holds what that commit reaches and nothing else: never a
 * commit fetched for another job (another branch, an embargoed fix). It is
 * laid out exactly like a fresh clone: self-contained, `origin` the
 * credential-free URL, HEAD detached at the sha, no trace of the mirror's path.
 *
 * Why not a local `git clone` (hard links), `git worktree`, `--shared` or
 * `--reference`: see docs/0004-workspace-mirror-cache.md. In short, they give
 * the job every object of the mirror, and the last three also make its `.git`
 * point into the mirror, which the sandbox does not see and the host would trust.
 */
import { mkdir, readdir, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { PatchwrightError } from "../errors.ts";
import { gitFailure } from "./clone-at-sha.ts";
import { publicCloneUrl } from "./git-auth-env.ts";
import { pipeGit, runGit } from "./run-git.ts";
import { type StageListener, timeStage } from "./workspace-stages.ts";

export interface CloneFromMirrorOptions {
  readonly mirrorDir: string;
  /** Empty or missing target directory. */
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
 * The whole checkout, with the mirror lock held (a `gc` of the mirror must
 * not delete a pack under the copy): the new repository's `.git`, then its
 * objects (stage `clone`) and its working tree (stage `checkout`) at once,
 * both read from the mirror.
 * @throws PatchwrightError `clone_failed`; the caller deletes the directory.
 */
export async function cloneFromMirror(options: CloneFromMirrorOptions, onStage?: StageListener): Promise<void> {
  await createCheckoutRepository(options);
  // Each awaited before either failure propagates (the caller then deletes the directory).
  const [objects, tree] = await Promise.allSettled([
    timeStage(onStage, "clone", () => copyCommitObjects(options)),
    timeStage(onStage, "checkout", () => writeWorkingTree(options)),
  ]);
  if (objects.status === "rejected") throw objects.reason;
  if (tree.status === "rejected") throw tree.reason;
}

/**
 * Step 1: the checkout's `.git`, without objects: `origin`, HEAD detached at
 * the sha, and for depth 1 the history's cut-off.
 */
async function createCheckoutRepository(options: CloneFromMirrorOptions): Promise<void> {
  await writeGitDir(options.dir, options.sha, publicCloneUrl(options.cloneUrl), (options.depth ?? 1) === 1);
}

/**
 * Step 2a (after step 1): the commit's objects into the checkout's repository, nothing else.
 * @throws PatchwrightError `clone_failed`.
 */
async function copyCommitObjects(options: CloneFromMirrorOptions): Promise<void> {
  const { mirrorDir, dir, sha } = options;
  const timeout = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  const fail = failure(options);
  const depth = options.depth ?? 1;
  if (depth === 1) {
    // The commit (its parents cut off: `--shallow`) and its tree, packed by the mirror. No
    // delta search (one commit's files rarely delta against each other, and the pack is the
    // checkout's own), and no fsync: a checkout does not outlive a crash (it is pruned).
    const input = `--shallow ${sha}\n${sha}\n`;
    const pack = ["-c", "core.fsync=none", "pack-objects", "--revs", "--quiet", "--window=0"];
    // On one file system the mirror writes the pack and its index straight into the checkout
    // (made in the mirror's objects/pack, renamed into place): no second process hashing it all.
    if (await sameDevice(mirrorDir, dir)) {
      const before = await temporaryPacks(mirrorDir);
      const direct = await runGit([...pack, path.join(dir, ".git", "objects", "pack", "pack")], { cwd: mirrorDir, input, ...timeout });
      if (direct.exitCode === 0) return;
      // A rename across mounts of one device (EXDEV) leaves its temporary files: ours, as the lock is held.
      for (const name of await temporaryPacks(mirrorDir)) if (!before.has(name)) await rm(path.join(mirrorDir, "objects", "pack", name), { force: true });
    }
    // Else streamed into `index-pack` in the checkout: no protocol, no temporary file.
    const { from, to } = await pipeGit(
      { args: [...pack, "--stdout"], cwd: mirrorDir, input },
      { args: ["-c", "core.fsync=none", "index-pack", "--stdin"], cwd: dir },
      timeout,
    );
    if (from.exitCode !== 0) fail("git pack-objects in the cache", from, false);
    if (to.exitCode !== 0) fail("git index-pack", to, false);
    return;
  }
  // Deeper histories: git's own shallow negotiation. An exact sha and no destination ref:
  // the pack holds that commit's closure (to `depth`); `--no-write-fetch-head` keeps the
  // mirror's host path out of the checkout.
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
 * Step 2b (after step 1, alongside 2a): the working tree and the index at
 * `sha`, as `git checkout` writes them, with the mirror's objects. Over an
 * index that describes the files already there (a spare checkout,
 * `mirror-spares.ts`), only the files that differ are written, and the
 * tracked files `sha` lacks are deleted.
 * @throws PatchwrightError `clone_failed`.
 */
async function writeWorkingTree(options: CloneFromMirrorOptions): Promise<void> {
  const { mirrorDir, dir, sha } = options;
  const timeout = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  const env = { GIT_INDEX_FILE: path.join(dir, ".git", "index") };
  const written = await runGit(["--git-dir", mirrorDir, "--work-tree", dir, "read-tree", "--reset", "-u", sha], { cwd: dir, env, ...timeout });
  if (written.exitCode !== 0) failure(options)("git read-tree", written, false);
}

/**
 * The `.git` that `git init --template=`, `git remote add origin <url>` and a
 * detached checkout would leave (one git process each), written directly:
 * HEAD is the sha, the config has `origin` and nothing else of ours. With
 * `shallow`, the commit is recorded as the history's cut-off, as a depth-1
 * fetch does (a root commit too).
 */
async function writeGitDir(dir: string, sha: string, originUrl: string, shallow: boolean): Promise<void> {
  const gitDir = path.join(dir, ".git");
  for (const sub of ["objects/info", "objects/pack", "refs/heads", "refs/tags"]) await mkdir(path.join(gitDir, sub), { recursive: true });
  const config =
    "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n\tlogallrefupdates = true\n" +
    `[remote "origin"]\n\turl = ${configValue(originUrl)}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n`;
  await writeFile(path.join(gitDir, "config"), config, { flag: "wx" });
  await writeFile(path.join(gitDir, "HEAD"), `${sha}\n`, { flag: "wx" });
  if (shallow) await writeFile(path.join(gitDir, "shallow"), `${sha}\n`, { flag: "wx" });
}

async function sameDevice(a: string, b: string): Promise<boolean> {
  const [one, two] = await Promise.all([stat(a), stat(b)]);
  return one.dev === two.dev;
}

/** The temporary files of packs being written into the mirror. */
async function temporaryPacks(mirrorDir: string): Promise<Set<string>> {
  const names = await readdir(path.join(mirrorDir, "objects", "pack")).catch(() => []);
  return new Set(names.filter((name) => name.startsWith("tmp_")));
}

/** A config value in double quotes, as `git config` would escape it; a URL never has a line break. */
function configValue(value: string): string {
  if (/\p{Cc}/u.test(value)) {
    throw new PatchwrightError("clone_failed", "The repository clone URL has control characters; expected https://host/owner/repo.git.", { retryable: false });
  }
  return `"${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

function failure(options: CloneFromMirrorOptions): ReturnType<typeof gitFailure> {
  // No token is involved in a copy from the mirror.
  return gitFailure(`Checking out ${publicCloneUrl(options.cloneUrl)} at ${options.sha} from the repository cache`);
}
