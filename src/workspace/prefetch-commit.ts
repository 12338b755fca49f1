/**
 * Fetches a commit into its repository's mirror ahead of the job that will
 * need it (the job waits out its coalescing window meanwhile), so the job's
 * `openWorkspace` finds it there. Reads only: the mirror is a cache the job
 * would fill anyway, and nothing is checked out or run.
 */
import { assertFullSha } from "./clone-at-sha.ts";
import { ensureRepoCacheDirs, repoCachePaths } from "./mirror-cache-paths.ts";
import { withMirrorLock } from "./mirror-lock.ts";
import { refreshMirror, type MirrorFetch } from "./mirror-refresh.ts";

export interface PrefetchCommitOptions {
  readonly cacheRoot: string;
  readonly installationId: number;
  readonly cloneUrl: string;
  readonly sha: string;
  readonly token: string;
}

/**
 * @returns what the mirror had to fetch ("none": the commit was there).
 * @throws PatchwrightError `clone_failed` when the commit cannot be fetched.
 */
export async function prefetchCommit(options: PrefetchCommitOptions): Promise<MirrorFetch> {
  const { cloneUrl, sha, token } = options;
  assertFullSha(sha);
  const paths = repoCachePaths({ cacheRoot: options.cacheRoot, installationId: options.installationId, cloneUrl });
  await ensureRepoCacheDirs(paths);
  return withMirrorLock(paths.lockFile, () => refreshMirror({ mirrorDir: paths.mirrorDir, cloneUrl, sha, token }));
}
