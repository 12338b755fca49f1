/**
 * A cached workspace's job before its checkout: the job directory and its
 * sandbox, and how it is disposed of (npm blobs promoted, then the directory
 * deleted, at once or in the background).
 */
import { createSandbox, type CreateSandboxOptions } from "./create-sandbox.ts";
import type { RepoCachePaths } from "./mirror-cache-paths.ts";
import { type ReservedCheckout, reserveCheckout } from "./mirror-checkouts.ts";
import { createJobNpmCache, npmCacheBinds, promoteJobNpmCache, seedJobNpmCache, withNpmCache } from "./mirror-npm-cache.ts";
import { takeSpareCheckout } from "./mirror-spares.ts";
import { removeInBackground } from "./remove-workspace.ts";
import type { Sandbox } from "./types.ts";
import { type StageListener, timeStage } from "./workspace-stages.ts";

export interface PreparedJob {
  readonly checkout: ReservedCheckout;
  readonly sandbox: Sandbox;
  /** Idempotent. Promote only on a normal dispose: after a failed open nothing of value was downloaded. */
  dispose(promote: boolean): Promise<void>;
}

export interface PrepareCachedJobOptions {
  readonly parentDir: string | undefined;
  /** Take a ready spare checkout instead of a new empty one. */
  readonly spare: boolean;
  /** `dispose(true)` deletes the files after it returned. */
  readonly backgroundRemoval: boolean;
  readonly onStage: StageListener | undefined;
}

/**
 * The job's directory (owner record, a checkout empty or a spare's, private
 * npm cache) and its sandbox; what `openWorkspace` makes while it waits for
 * the mirror lock.
 */
export async function prepareCachedJob(
  paths: RepoCachePaths,
  options: PrepareCachedJobOptions,
  sandboxOptions: Omit<CreateSandboxOptions, "root">,
): Promise<PreparedJob> {
  const { onStage } = options;
  // A spare holds another commit's tree: the checkout stage rewrites what differs (`mirror-spares.ts`).
  const spare = options.spare ? takeSpareCheckout(paths, options.parentDir) : undefined;
  const checkout = spare ?? (await timeStage(onStage, "reserve", () => reserveCheckout(paths, options.parentDir)));
  const npm = { cacheDir: checkout.npmCacheDir, sharedDir: checkout.npmSharedDir };
  let disposed: Promise<void> | undefined;
  const dispose = (promote: boolean): Promise<void> =>
    (disposed ??= timeStage(onStage, "dispose", async () => {
      if (!promote) return checkout.release();
      // Promoted before dispose returns: the next job's seed sees it.
      await promoteJobNpmCache(paths, npm.cacheDir);
      if (!options.backgroundRemoval) return timeStage(onStage, "remove", () => checkout.release());
      // The checkout leaves its path at once; the files go in the background.
      await checkout.retire();
      removeInBackground(
        () => timeStage(onStage, "remove", () => checkout.release()),
        () => checkout.releaseSync(),
      );
    }));
  try {
    await timeStage(onStage, "npm-cache", () => createJobNpmCache(paths, npm));
    const extraBinds = [...(sandboxOptions.extraBinds ?? []), ...npmCacheBinds(npm)];
    const bare = await timeStage(onStage, "sandbox", () => createSandbox({ ...sandboxOptions, extraBinds, root: checkout.dir }));
    await timeStage(onStage, "npm-cache", () => seedJobNpmCache(bare, npm));
    return { checkout, sandbox: withNpmCache(bare, npm.cacheDir), dispose };
  } catch (error) {
    await dispose(false);
    throw error;
  }
}
