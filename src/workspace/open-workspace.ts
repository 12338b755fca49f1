/**
 * One job's workspace in one call: a fresh directory, the repository at the
 * failing sha, and a sandbox bound to it. The sandbox is checked before the
 * clone, so a worker without bubblewrap fails fast without downloading anything.
 *
 * With a `cacheRoot`, the repository comes from its cached bare mirror
 * (fetching only a missing commit; the checkout gets the commit's objects
 * only) and the sandbox gets a private npm cache seeded from the repository's
 * verified shared one; see docs/0004-workspace-mirror-cache.md. How its
 * stages overlap, spare checkouts and background removal: docs/0018.
 */
import { mkdirSync } from "node:fs";
import { PatchwrightError } from "../errors.ts";
import { assertFullSha, cloneAtSha } from "./clone-at-sha.ts";
import { bwrapKnownUsable, createSandbox, type CreateSandboxOptions } from "./create-sandbox.ts";
import { ensureRepoCacheDirs, type RepoCachePaths, repoCachePaths } from "./mirror-cache-paths.ts";
import { pruneStaleCheckouts } from "./mirror-checkouts.ts";
import { type CloneFromMirrorOptions, cloneFromMirror } from "./mirror-clone.ts";
import { acquireMirrorLock } from "./mirror-lock.ts";
import { commitInMirror, type MirrorFetch, refreshMirror } from "./mirror-refresh.ts";
import { prepareSpareCheckout } from "./mirror-spares.ts";
import { type PreparedJob, prepareCachedJob } from "./prepare-cached-job.ts";
import { createTempWorkspaceDir, removeWorkspace } from "./remove-workspace.ts";
import type { Workspace } from "./types.ts";
import { type StageListener, timeStage } from "./workspace-stages.ts";

export { discardSpareCheckouts, drainSpareCheckouts } from "./mirror-spares.ts";
export { drainWorkspaceRemovals } from "./remove-workspace.ts";

export interface OpenWorkspaceOptions extends Omit<CreateSandboxOptions, "root"> {
  readonly cloneUrl: string;
  readonly sha: string;
  readonly token: string;
  /**
   * Where to create the workspace directory (with a cache: the job directory,
   * `pw-<id>`, holding the checkout and the private npm cache); default the OS
   * temp directory (`TMPDIR`). Bind sources show inside the sandbox
   * (`/proc/self/mountinfo`): keep it neutral, never under the data dir, and
   * on a disk with room for workspaces.
   */
  readonly parentDir?: string;
  /** History depth (see `cloneAtSha`); default 1, 0 = full history. With a cache too: what the checkout copies from the mirror. */
  readonly depth?: number;
  /**
   * Root of the per-repository caches (bare mirror, npm cache), e.g.
   * `PATCHWRIGHT_DATA_DIR/mirrors`. Without it every job fetches afresh.
   */
  readonly cacheRoot?: string;
  /** The installation the token belongs to; required with `cacheRoot` (caches are per installation). */
  readonly installationId?: number;
  /**
   * With a cache: start from a spare checkout of the repository, prepared in
   * the background after its previous job in this process, when one is ready,
   * and prepare one after this open (`mirror-spares.ts`, docs/0018): only the
   * files that differ are written. Default false. Spares live as long as the
   * process (one working tree per recently used repository, on `parentDir`'s
   * disk): whoever turns them on deletes them at shutdown (`discardSpareCheckouts`).
   */
  readonly spare?: boolean;
  /**
   * With a cache: `dispose` takes the checkout out of its path and returns;
   * the files are deleted in the background. Default false (deleted before
   * `dispose` returns). Whoever turns it on waits for the deletions at
   * shutdown (`drainWorkspaceRemovals`); a process killed first leaves them
   * to the next open's pruning, like a crashed worker's.
   */
  readonly backgroundRemoval?: boolean;
  /** With a cache: told how long each stage of the open and of `dispose` took (`WorkspaceStage`). */
  readonly onStage?: StageListener;
}


/**
 * @throws PatchwrightError `sandbox_unavailable` or `clone_failed`; the
 *   directory is removed before the error propagates.
 */
export async function openWorkspace(options: OpenWorkspaceOptions): Promise<Workspace> {
  const { cloneUrl, sha, token, parentDir, depth, cacheRoot, installationId, spare, backgroundRemoval, onStage, ...sandboxOptions } = options;
  if (cacheRoot !== undefined) {
    const warm = { spare: spare ?? false, backgroundRemoval: backgroundRemoval ?? false };
    return openCachedWorkspace({ cloneUrl, sha, token, cacheRoot, installationId, parentDir, depth, ...warm, onStage }, sandboxOptions);
  }
  const dir = await createTempWorkspaceDir(parentDir);
  try {
    const sandbox = await createSandbox({ ...sandboxOptions, root: dir });
    await cloneAtSha({ cloneUrl, sha, token, dir, ...(depth === undefined ? {} : { depth }) });
    return { dir, sandbox, dispose: () => removeWorkspace(dir) };
  } catch (error) {
    await removeWorkspace(dir);
    throw error;
  }
}

interface CachedWorkspaceOptions {
  readonly cloneUrl: string;
  readonly sha: string;
  readonly token: string;
  readonly cacheRoot: string;
  readonly installationId: number | undefined;
  readonly parentDir: string | undefined;
  readonly depth: number | undefined;
  readonly spare: boolean;
  readonly backgroundRemoval: boolean;
  readonly onStage: StageListener | undefined;
}

/**
 * The mirror lock is waited for while the job's directory and sandbox are
 * made, and held for the mirror's work: prune crashed checkouts, fetch a
 * missing commit, copy the job's commit and write its working tree (from a
 * spare checkout when there is one, so only the files that differ). Disposal
 * promotes the npm blobs the job downloaded that verify, then deletes its
 * directory (with `backgroundRemoval`, after `dispose` returned).
 */
async function openCachedWorkspace(
  options: CachedWorkspaceOptions,
  sandboxOptions: Omit<CreateSandboxOptions, "root">,
): Promise<Workspace> {
  const { cloneUrl, sha, token, onStage } = options;
  assertFullSha(sha);
  if (options.installationId === undefined) {
    throw new PatchwrightError("internal", "openWorkspace with a cacheRoot needs the job's installationId (caches are per installation).");
  }
  const paths = repoCachePaths({ cacheRoot: options.cacheRoot, installationId: options.installationId, cloneUrl });
  // The lock file's directory first (one system call, not queued behind other file work);
  // the rest of the cache's directories while the lock is waited for.
  mkdirSync(paths.root, { recursive: true, mode: 0o700 });
  const locked = settle(timeStage(onStage, "lock", () => acquireMirrorLock(paths.lockFile)));
  // Whether the commit must be fetched, asked meanwhile too (a lookup that needs no lock).
  const present = settle(commitInMirror(paths.mirrorDir, sha));
  const prepared = settle(timeStage(onStage, "reserve", () => ensureRepoCacheDirs(paths)).then(() => prepareCachedJob(paths, options, sandboxOptions)));
  const lock = await locked;
  if (!lock.ok) {
    const job = await prepared;
    if (job.ok) await job.value.dispose(false);
    throw lock.error;
  }
  let job: PreparedJob | undefined;
  let fetched: MirrorFetch;
  try {
    await timeStage(onStage, "prune", () => pruneStaleCheckouts(paths));
    // The sandbox is checked before anything is downloaded: a worker without bubblewrap fails
    // fast. Once bubblewrap has worked in this process, the job is made while the commit downloads.
    const early = bwrapKnownUsable(sandboxOptions.bwrapPath) ? undefined : await prepared;
    if (early?.ok === false) throw early.error;
    const known = await present;
    const refresh = { mirrorDir: paths.mirrorDir, cloneUrl, sha, token, ...(known.ok ? { present: known.value } : {}) };
    fetched = await timeStage(onStage, "mirror-fetch", () => refreshMirror(refresh));
    const ready = await prepared;
    if (!ready.ok) throw ready.error;
    const { dir } = ready.value.checkout;
    job = ready.value;
    // On failure, the directory is deleted below.
    await cloneFromMirror(cloneOptions(paths, dir, options), onStage);
  } catch (error) {
    await lock.value();
    const failed = job ?? (await prepared.then((settled) => (settled.ok ? settled.value : undefined)));
    await failed?.dispose(false);
    throw error;
  }
  // Released as `flock`'s child exits, which the job need not wait for.
  void lock.value();
  if (options.spare) prepareSpareCheckout(paths, options.parentDir, sha);
  return { dir: job.checkout.dir, sandbox: job.sandbox, dispose: () => job.dispose(true), cache: { paths, fetched } };
}

function cloneOptions(paths: RepoCachePaths, dir: string, options: CachedWorkspaceOptions): CloneFromMirrorOptions {
  const { cloneUrl, sha, depth } = options;
  return { mirrorDir: paths.mirrorDir, dir, cloneUrl, sha, ...(depth === undefined ? {} : { depth }) };
}

type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** A promise that never rejects, so one awaited later cannot be an unhandled rejection meanwhile. */
function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
}
