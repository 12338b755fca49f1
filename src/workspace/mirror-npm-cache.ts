/**
 * The npm cache of one job: private and writable, seeded from the content the
 * repository's earlier jobs downloaded, which only the host writes.
 *
 * - `<repo>/npm` (`npmCacheDir`), the shared store: cacache content blobs
 *   (`_cacache/content-v2/sha512/..`), each one checked by the host to hash to
 *   its own name (`mirror-npm-promote.ts`). No index: an index entry maps a URL
 *   (a packument, a tarball) to content, and a job could point it anywhere.
 *   Mounted read-only at `SANDBOX_NPM_SHARED`.
 * - `<repo>/npm-jobs/<id>`, the job's cache: mounted writable at npm's default
 *   place and named by `npm_config_cache`; holds a symlink to the shared copy
 *   for every shared blob (`mirror-npm-seed.ts`), and whatever this job's npm
 *   writes. When the job ends, the host copies its new blobs that verify into
 *   the shared store and deletes the rest.
 *
 * npm finds a tarball by its integrity (`pacote` reads the content store by
 * digest when the lockfile or the packument gives one), so a later job gets a
 * cache hit from a blob without any index, and can only ever be served the
 * exact bytes it asked for. Keyed like the mirror: never shared across
 * repositories or installations.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { RepoCachePaths } from "./mirror-cache-paths.ts";
import { promoteNpmContent } from "./mirror-npm-promote.ts";
import { seedNpmCache } from "./mirror-npm-seed.ts";
import { removeWorkspace } from "./remove-workspace.ts";
import type { ExtraBind } from "./sandbox-extra-binds.ts";
import type { Sandbox } from "./types.ts";

/**
 * Where the job's cache appears inside the sandbox: npm's default
 * (`$HOME/.npm`, HOME being `/tmp/home`), so the variable is right even where
 * the bind is missing (a private cache on the sandbox's /tmp, as before).
 */
export const SANDBOX_NPM_CACHE = "/tmp/home/.npm";
/** Where the shared store appears inside the sandbox, read-only; the seed's symlinks point there. */
export const SANDBOX_NPM_SHARED = "/cache/npm-shared";

/** The job's private npm cache directory on the host, named after its checkout id. */
export function jobNpmCacheDir(paths: RepoCachePaths, jobId: string): string {
  return path.join(paths.npmJobsDir, jobId);
}

/** The binds that give a bubblewrap sandbox the job's cache (writable) and the shared store (read-only). */
export function npmCacheBinds(paths: RepoCachePaths, jobCacheDir: string): ExtraBind[] {
  return [
    { hostPath: jobCacheDir, sandboxPath: SANDBOX_NPM_CACHE, writable: true },
    { hostPath: paths.npmCacheDir, sandboxPath: SANDBOX_NPM_SHARED, writable: false },
  ];
}

/** Creates the job's (empty, 0700) cache directory before its sandbox binds it. */
export async function createJobNpmCache(jobCacheDir: string): Promise<void> {
  await mkdir(jobCacheDir, { recursive: false, mode: 0o700 });
}

/**
 * Links every shared blob into the job's cache, as the sandbox will see it
 * (or, without bubblewrap, at its host path).
 * @returns how many blobs were linked.
 */
export async function seedJobNpmCache(sandbox: Sandbox, paths: RepoCachePaths, jobCacheDir: string): Promise<number> {
  const target = sandbox.isolation === "host" ? paths.npmCacheDir : SANDBOX_NPM_SHARED;
  return seedNpmCache(paths.npmCacheDir, jobCacheDir, target);
}

/**
 * At the end of the job, once no command of it runs: the blobs it downloaded
 * that hash to their names join the shared store; the job's cache is deleted.
 * A failure to promote loses cache entries, never the job: it is swallowed.
 * @returns how many blobs were promoted.
 */
export async function retireJobNpmCache(paths: RepoCachePaths, jobCacheDir: string): Promise<number> {
  try {
    return (await promoteNpmContent(jobCacheDir, paths.npmCacheDir)).promoted;
  } catch {
    return 0;
  } finally {
    await removeWorkspace(jobCacheDir);
  }
}

/**
 * The sandbox with `npm_config_cache` set for every command (a command's own
 * `env` wins). Without bubblewrap (`isolation: "host"`) there is no bind, so
 * the variable names the host directory itself.
 */
export function withNpmCache(sandbox: Sandbox, jobCacheDir: string): Sandbox {
  const cache = sandbox.isolation === "host" ? jobCacheDir : SANDBOX_NPM_CACHE;
  return {
    ...sandbox,
    run: (command, options = {}) => sandbox.run(command, { ...options, env: { npm_config_cache: cache, ...options.env } }),
  };
}
