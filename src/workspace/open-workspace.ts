/**
 * One job's workspace in one call: a fresh directory, the repository at the
 * failing sha, and a sandbox bound to it. The sandbox is checked before the
 * clone, so a worker without bubblewrap fails fast without downloading anything.
 *
 * With a `cacheRoot`, the repository comes from its cached bare mirror
 * (fetching only a missing commit) and the sandbox gets the repository's npm
 * cache; see docs/0004-workspace-mirror-cache.md.
 */
import { PatchwrightError } from "../errors.ts";
import { assertFullSha, cloneAtSha } from "./clone-at-sha.ts";
import { createSandbox, type CreateSandboxOptions } from "./create-sandbox.ts";
import { ensureRepoCacheDirs, repoCachePaths } from "./mirror-cache-paths.ts";
import { pruneStaleCheckouts, reserveCheckout } from "./mirror-checkouts.ts";
import { checkoutFromMirror, cloneFromMirror } from "./mirror-clone.ts";
import { withMirrorLock } from "./mirror-lock.ts";
import { npmCacheBind, withNpmCache } from "./mirror-npm-cache.ts";
import { refreshMirror } from "./mirror-refresh.ts";
import { createTempWorkspaceDir, removeWorkspace } from "./remove-workspace.ts";
import type { Workspace } from "./types.ts";

export interface OpenWorkspaceOptions extends Omit<CreateSandboxOptions, "root"> {
  readonly cloneUrl: string;
  readonly sha: string;
  readonly token: string;
  /** Where to create the workspace directory; default the OS temp directory (with a cache: its `checkouts/`). */
  readonly parentDir?: string;
  /** History depth (see `cloneAtSha`); default 1. Ignored with a cache, where full history costs nothing. */
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
    return openCachedWorkspace({ cloneUrl, sha, token, cacheRoot, installationId, parentDir }, sandboxOptions);
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
}

/**
 * Mirror lock held only for the mirror's own work (prune crashed checkouts,
 * fetch a missing commit, the hard-linking clone); the working tree is written
 * after, in parallel with other jobs.
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
  try {
    const extraBinds = [...(sandboxOptions.extraBinds ?? []), npmCacheBind(paths)];
    const sandbox = withNpmCache(await createSandbox({ ...sandboxOptions, extraBinds, root: checkout.dir }), paths);
    const clone = { mirrorDir: paths.mirrorDir, dir: checkout.dir, cloneUrl, sha };
    const fetched = await withMirrorLock(paths.lockFile, async () => {
      await pruneStaleCheckouts(paths);
      const result = await refreshMirror({ mirrorDir: paths.mirrorDir, cloneUrl, sha, token });
      await cloneFromMirror(clone);
      return result;
    });
    await checkoutFromMirror(clone);
    return { dir: checkout.dir, sandbox, dispose: checkout.release, cache: { paths, fetched } };
  } catch (error) {
    await checkout.release();
    throw error;
  }
}
