/**
 * One job's workspace in one call: a fresh directory, the repository at the
 * failing sha, and a sandbox bound to it. The sandbox is checked before the
 * clone, so a worker without bubblewrap fails fast without downloading anything.
 *
 * With a `cacheRoot`, the repository comes from its cached bare mirror
 * (fetching only a missing commit; the checkout gets the commit's objects
 * only) and the sandbox gets a private npm cache seeded from the repository's
 * verified shared one; see docs/0004-workspace-mirror-cache.md.
 */
import { PatchwrightError } from "../errors.ts";
import { assertFullSha, cloneAtSha } from "./clone-at-sha.ts";
import { createSandbox, type CreateSandboxOptions } from "./create-sandbox.ts";
import { ensureRepoCacheDirs, repoCachePaths } from "./mirror-cache-paths.ts";
import { pruneStaleCheckouts, reserveCheckout } from "./mirror-checkouts.ts";
import { checkoutFromMirror, cloneFromMirror } from "./mirror-clone.ts";
import { withMirrorLock } from "./mirror-lock.ts";
import { createJobNpmCache, npmCacheBinds, retireJobNpmCache, seedJobNpmCache, withNpmCache } from "./mirror-npm-cache.ts";
import { refreshMirror } from "./mirror-refresh.ts";
import { createTempWorkspaceDir, removeWorkspace } from "./remove-workspace.ts";
import type { Workspace } from "./types.ts";

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
}


/**
 * @throws PatchwrightError `sandbox_unavailable` or `clone_failed`; the
 *   directory is removed before the error propagates.
 */
export async function openWorkspace(options: OpenWorkspaceOptions): Promise<Workspace> {
  const { cloneUrl, sha, token, parentDir, depth, cacheRoot, installationId, ...sandboxOptions } = options;
  if (cacheRoot !== undefined) {
    return openCachedWorkspace({ cloneUrl, sha, token, cacheRoot, installationId, parentDir, depth }, sandboxOptions);
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
}

/**
 * Mirror lock held only for the mirror's own work (prune crashed checkouts,
 * fetch a missing commit, the fetch of the job's commit from it); the working
 * tree is written after, in parallel with other jobs. Disposal promotes the
 * npm blobs the job downloaded that verify, then deletes its directories.
 */
async function openCachedWorkspace(
  options: CachedWorkspaceOptions,
  sandboxOptions: Omit<CreateSandboxOptions, "root">,
): Promise<Workspace> {
  const { cloneUrl, sha, token } = options;
  assertFullSha(sha);
  if (options.installationId === undefined) {
    throw new PatchwrightError("internal", "openWorkspace with a cacheRoot needs the job's installationId (caches are per installation).");
  }
  const paths = repoCachePaths({ cacheRoot: options.cacheRoot, installationId: options.installationId, cloneUrl });
  await ensureRepoCacheDirs(paths);
  const checkout = await reserveCheckout(paths, options.parentDir);
  const npm = { cacheDir: checkout.npmCacheDir, sharedDir: checkout.npmSharedDir };
  let retired: Promise<void> | undefined;
  // Promote only on a normal dispose: after a failed open nothing of value was downloaded.
  const dispose = (promote: boolean): Promise<void> =>
    (retired ??= (async () => {
      if (promote) await retireJobNpmCache(paths, npm.cacheDir);
      await checkout.release();
    })());
  try {
    await createJobNpmCache(paths, npm);
    const extraBinds = [...(sandboxOptions.extraBinds ?? []), ...npmCacheBinds(npm)];
    const bare = await createSandbox({ ...sandboxOptions, extraBinds, root: checkout.dir });
    await seedJobNpmCache(bare, npm);
    const sandbox = withNpmCache(bare, npm.cacheDir);
    const clone = { mirrorDir: paths.mirrorDir, dir: checkout.dir, cloneUrl, sha, ...(options.depth === undefined ? {} : { depth: options.depth }) };
    const fetched = await withMirrorLock(paths.lockFile, async () => {
      await pruneStaleCheckouts(paths);
      const result = await refreshMirror({ mirrorDir: paths.mirrorDir, cloneUrl, sha, token });
      await cloneFromMirror(clone);
      return result;
    });
    await checkoutFromMirror(clone);
    return { dir: checkout.dir, sandbox, dispose: () => dispose(true), cache: { paths, fetched } };
  } catch (error) {
    await dispose(false);
    throw error;
  }
}
