/**
 * The cached open as it was before its stages were reworked, rebuilt from the
 * same building blocks, for a before/after comparison within one benchmark
 * run: reserve the job directory, npm cache and sandbox one after the other;
 * then under the mirror lock prune, refresh the mirror, `git init` and a
 * depth-1 `git fetch` from the mirror through `upload-pack`; then `git remote
 * add` and `git checkout --detach` (in parallel); dispose promotes and deletes
 * before it returns. Same security properties; only the speed differs.
 */
import { createSandbox } from "../../src/workspace/create-sandbox.ts";
import { ensureRepoCacheDirs, repoCachePaths } from "../../src/workspace/mirror-cache-paths.ts";
import { pruneStaleCheckouts, reserveCheckout } from "../../src/workspace/mirror-checkouts.ts";
import { withMirrorLock } from "../../src/workspace/mirror-lock.ts";
import { removeWorkspace } from "../../src/workspace/remove-workspace.ts";
import { createJobNpmCache, npmCacheBinds, promoteJobNpmCache, seedJobNpmCache } from "../../src/workspace/mirror-npm-cache.ts";
import { type MirrorFetch, refreshMirror } from "../../src/workspace/mirror-refresh.ts";
import { publicCloneUrl } from "../../src/workspace/git-auth-env.ts";
import { runGit } from "../../src/workspace/run-git.ts";
import { timeStage, type StageListener } from "../../src/workspace/workspace-stages.ts";

export interface LegacyOpenOptions {
  readonly cloneUrl: string;
  readonly sha: string;
  readonly token: string;
  readonly cacheRoot: string;
  readonly installationId: number;
  readonly onStage?: StageListener;
}

export interface LegacyWorkspace {
  readonly dir: string;
  readonly fetched: MirrorFetch;
  dispose(): Promise<void>;
}

export async function legacyOpenWorkspace(options: LegacyOpenOptions): Promise<LegacyWorkspace> {
  const { cloneUrl, sha, token, onStage } = options;
  const paths = repoCachePaths(options);
  const checkout = await timeStage(onStage, "reserve", async () => {
    await ensureRepoCacheDirs(paths);
    return reserveCheckout(paths);
  });
  const npm = { cacheDir: checkout.npmCacheDir, sharedDir: checkout.npmSharedDir };
  const dispose = (): Promise<void> =>
    timeStage(onStage, "dispose", async () => {
      // As the open did then: the job's cache deleted on its own after promotion, then the directory.
      await promoteJobNpmCache(paths, npm.cacheDir);
      await removeWorkspace(npm.cacheDir);
      await checkout.release();
    });
  try {
    await timeStage(onStage, "npm-cache", () => createJobNpmCache(paths, npm));
    const sandbox = await timeStage(onStage, "sandbox", () => createSandbox({ extraBinds: npmCacheBinds(npm), root: checkout.dir }));
    await timeStage(onStage, "npm-cache", () => seedJobNpmCache(sandbox, npm));
    let waiting = performance.now();
    const fetched = await withMirrorLock(paths.lockFile, async () => {
      onStage?.("lock", performance.now() - waiting);
      await timeStage(onStage, "prune", () => pruneStaleCheckouts(paths));
      const result = await timeStage(onStage, "mirror-fetch", () => refreshMirror({ mirrorDir: paths.mirrorDir, cloneUrl, sha, token }));
      await timeStage(onStage, "clone", async () => {
        await must(runGit(["init", "--quiet", "--template=", checkout.dir]));
        const upload = "--upload-pack=git -c uploadpack.allowAnySHA1InWant=true upload-pack";
        await must(runGit(["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--depth=1", upload, paths.mirrorDir, sha], { cwd: checkout.dir }));
      });
      waiting = performance.now();
      return result;
    });
    onStage?.("lock", performance.now() - waiting);
    await timeStage(onStage, "checkout", () =>
      Promise.all([
        must(runGit(["remote", "add", "origin", publicCloneUrl(cloneUrl)], { cwd: checkout.dir })),
        must(runGit(["-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", sha], { cwd: checkout.dir })),
      ]),
    );
    return { dir: checkout.dir, fetched, dispose };
  } catch (error) {
    await checkout.release();
    throw error;
  }
}

async function must(run: ReturnType<typeof runGit>): Promise<void> {
  const result = await run;
  if (result.exitCode !== 0) throw new Error(`git failed: ${result.stderr}`);
}
