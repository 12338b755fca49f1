/**
 * Keeps one repository's bare mirror able to serve a commit: created on first
 * use, then fetched into only when the wanted commit is missing (by sha with
 * protocol v2, all branches and tags as a fallback). Call with the mirror
 * lock held (`withMirrorLock`).
 *
 * The token reaches `git fetch` through its environment only
 * (`gitAuthEnv`): the mirror has no remote, no credentials and no
 * extraHeader in its config; fetches name the credential-free URL.
 */
import { readdir, rename, rm, stat } from "node:fs/promises";
import { assertFullSha, fetchCommit, type GitFailure, gitFailure } from "./clone-at-sha.ts";
import { publicCloneUrl } from "./git-auth-env.ts";
import { runGit } from "./run-git.ts";

/** Refs that keep fetched commits alive in the mirror and give later fetches something to negotiate from. */
export const KEEP_REF_PREFIX = "refs/patchwright/keep/";
/** How many fetched commits keep a ref (the newest by commit date). */
export const KEEP_REFS = 50;

/**
 * Settings of every mirror: fetched packs are kept whole (never exploded into
 * loose objects, so a crash mid-fetch cannot leave a commit without its tree,
 * and job clones hard-link a few packs rather than thousands of files), and
 * `gc` runs only when we start it (`packGarbage`), in the foreground, inside
 * the lock, instead of racing the next job's clone from a detached process.
 */
const MIRROR_CONFIG: readonly (readonly [string, string])[] = [
  ["fetch.unpackLimit", "1"],
  ["maintenance.auto", "false"],
  ["gc.autoDetach", "false"],
  ["core.logAllRefUpdates", "false"],
];

/** Packs (one per fetch) beyond which the mirror is repacked: git's own `gc.autoPackLimit`. */
const PACK_LIMIT = 50;

export interface RefreshMirrorOptions {
  readonly mirrorDir: string;
  readonly cloneUrl: string;
  readonly sha: string;
  readonly token: string;
  /** Per git command. Default 10 minutes. */
  readonly timeoutMs?: number;
  /**
   * What `commitInMirror` said just before the lock was taken, if it was
   * asked. `false` spares the lookup under the lock (a keep ref written
   * meanwhile, by a job that fetched the same commit, is still seen); `true`
   * is checked again, as a `gc` may have dropped an old unreferenced commit since.
   */
  readonly present?: boolean;
}

/** What the refresh downloaded: nothing, the commit by sha, or all branches (v0 servers). */
export type MirrorFetch = "none" | "sha" | "all-refs";

/**
 * Makes sure `sha` and its full history are in the mirror.
 * @throws PatchwrightError `clone_failed` (token redacted).
 */
export async function refreshMirror(options: RefreshMirrorOptions): Promise<MirrorFetch> {
  const { mirrorDir, sha, token } = options;
  assertFullSha(sha);
  const remoteUrl = publicCloneUrl(options.cloneUrl);
  const timeout = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  const fail = gitFailure(`Fetching ${remoteUrl} at ${sha} into the repository cache`, token);
  await ensureMirror(mirrorDir, fail);

  // A keep ref is written only once its fetch completed: no git process needed to trust it.
  const keepRef = `${KEEP_REF_PREFIX}${sha}`;
  if (await exists(`${mirrorDir}/${keepRef}`)) return "none";
  if (options.present !== false && (await commitInMirror(mirrorDir, sha, timeout))) return "none";

  const fetchedBy = await fetchCommit({ gitDir: mirrorDir, remoteUrl, sha, token, depth: 0, keepRef, fail, ...timeout });
  await trimKeepRefs(mirrorDir, fail);
  await packGarbage(mirrorDir, timeout);
  return fetchedBy;
}

/**
 * Whether the mirror has `sha` (a keep ref, or the commit among its objects).
 * Without the lock (asked while waiting for it), a `false` stays true enough:
 * a commit fetched meanwhile has its keep ref, which `refreshMirror` looks for.
 */
export async function commitInMirror(mirrorDir: string, sha: string, timeout: { timeoutMs?: number } = {}): Promise<boolean> {
  assertFullSha(sha);
  if (await exists(`${mirrorDir}/${KEEP_REF_PREFIX}${sha}`)) return true;
  if (!(await exists(`${mirrorDir}/HEAD`))) return false;
  return (await runGit(["cat-file", "-e", `${sha}^{commit}`], { cwd: mirrorDir, ...timeout })).exitCode === 0;
}

/**
 * Folds the packs of many fetches into one once there are `PACK_LIMIT` of
 * them (counted from the directory, so usually no git process at all).
 * Maintenance only: a failed gc leaves the mirror as usable as before.
 */
async function packGarbage(mirrorDir: string, timeout: { timeoutMs?: number }): Promise<void> {
  const files = await readdir(`${mirrorDir}/objects/pack`).catch(() => []);
  if (files.filter((name) => name.endsWith(".pack")).length < PACK_LIMIT) return;
  await runGit(["gc", "--quiet"], { cwd: mirrorDir, ...timeout });
}

/** Creates the bare mirror if it does not exist yet, atomically (init in a temp dir, then rename). */
async function ensureMirror(mirrorDir: string, fail: GitFailure): Promise<void> {
  if (await exists(`${mirrorDir}/HEAD`)) return;
  // A directory without HEAD is the debris of an interrupted creation.
  const staging = `${mirrorDir}.new`;
  await rm(mirrorDir, { recursive: true, force: true });
  await rm(staging, { recursive: true, force: true });
  const init = await runGit(["init", "--quiet", "--bare", "--template=", staging]);
  if (init.exitCode !== 0) fail("git init --bare", init, false);
  for (const [key, value] of MIRROR_CONFIG) {
    const set = await runGit(["config", key, value], { cwd: staging });
    if (set.exitCode !== 0) fail("git config", set, false);
  }
  await rename(staging, mirrorDir);
}

/**
 * Deletes the oldest keep refs beyond `KEEP_REFS`; their commits stay until
 * `gc` expires them. Only when the loose keep refs alone exceed the bound (a
 * directory listing, no git process): `gc` packs refs now and then, so the
 * total stays within a few times `KEEP_REFS`.
 */
async function trimKeepRefs(mirrorDir: string, fail: GitFailure): Promise<void> {
  const loose = await readdir(`${mirrorDir}/${KEEP_REF_PREFIX}`).catch(() => []);
  if (loose.length <= KEEP_REFS) return;
  const list = await runGit(["for-each-ref", "--sort=-committerdate", "--format=%(refname)", KEEP_REF_PREFIX], { cwd: mirrorDir });
  if (list.exitCode !== 0) fail("git for-each-ref", list, false);
  const stale = list.stdout.split("\n").filter(Boolean).slice(KEEP_REFS);
  if (stale.length === 0) return;
  const input = stale.map((ref) => `delete ${ref}\n`).join("");
  const del = await runGit(["update-ref", "--stdin"], { cwd: mirrorDir, input });
  if (del.exitCode !== 0) fail("git update-ref --stdin", del, false);
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
