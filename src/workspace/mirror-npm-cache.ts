/**
 * The npm cache of one job: private and writable, seeded from the content the
 * repository's earlier jobs downloaded, which only the host writes.
 *
 * - `<repo>/npm-content` (`npmCacheDir`), the shared store: cacache content blobs
 *   (`_cacache/content-v2/sha512/..`), each one checked by the host to hash to
 *   its own name (`mirror-npm-promote.ts`). No index: an index entry maps a URL
 *   (a packument, a tarball) to content, and a job could point it anywhere.
 *   Seen by a job through its own view of hard links (`linkNpmStore`),
 *   mounted read-only at `SANDBOX_NPM_SHARED`: the store's own path would
 *   name the data dir and the repository inside the sandbox.
 * - `<job dir>/npm`, the job's cache (beside its checkout, under a neutral
 *   path outside the data dir: `mirror-checkouts.ts`): mounted writable at npm's default
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
import type { RepoCachePaths } from "./mirror-cache-paths.ts";
import { promoteNpmContent } from "./mirror-npm-promote.ts";
import { linkNpmStore, seedNpmCache } from "./mirror-npm-seed.ts";
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

/** A job's npm directories on the host, both in its job directory (`mirror-checkouts.ts`). */
export interface JobNpmDirs {
  /** The private, writable cache. */
  readonly cacheDir: string;
  /** The read-only view of the shared store (hard links). */
  readonly sharedDir: string;
}

/** The binds that give a bubblewrap sandbox the job's cache (writable) and its view of the shared store (read-only). */
export function npmCacheBinds(dirs: JobNpmDirs): ExtraBind[] {
  return [
    { hostPath: dirs.cacheDir, sandboxPath: SANDBOX_NPM_CACHE, writable: true },
    { hostPath: dirs.sharedDir, sandboxPath: SANDBOX_NPM_SHARED, writable: false },
  ];
}

/**
 * Creates the job's (empty, 0700) cache directory and its view of the shared
 * store, before its sandbox binds them.
 */
export async function createJobNpmCache(paths: RepoCachePaths, dirs: JobNpmDirs): Promise<void> {
  await mkdir(dirs.cacheDir, { recursive: false, mode: 0o700 });
  await linkNpmStore(paths.npmCacheDir, dirs.sharedDir);
}

/**
 * Links every blob of the job's view into the job's cache, as the sandbox
 * will see it (or, without bubblewrap, at its host path).
 * @returns how many blobs were linked.
 */
export async function seedJobNpmCache(sandbox: Sandbox, dirs: JobNpmDirs): Promise<number> {
  const target = sandbox.isolation === "host" ? dirs.sharedDir : SANDBOX_NPM_SHARED;
  return seedNpmCache(dirs.sharedDir, dirs.cacheDir, target);
}

/**
 * At the end of the job, once no command of it runs: the blobs it downloaded
 * that hash to their names join the shared store (the caller deletes the job
 * directory, the job's cache with it). Once this resolves, the next job's
 * seed sees what this one promoted. A failure to promote loses cache entries,
 * never the job: it is swallowed.
 * @returns how many blobs were promoted; 0 when promotion failed.
 */
export async function promoteJobNpmCache(paths: RepoCachePaths, jobCacheDir: string): Promise<number> {
  try {
    return (await promoteNpmContent(jobCacheDir, paths.npmCacheDir)).promoted;
  } catch {
    return 0;
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
