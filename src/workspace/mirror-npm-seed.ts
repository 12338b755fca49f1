/**
 * Seeds a job's private npm cache with the repository's shared blobs: one
 * symbolic link per blob, pointing at the shared store as the sandbox sees it
 * (mounted read-only there). npm reads through the link (and checks the bytes
 * against the integrity it asked for); it cannot write through it (read-only
 * mount), and replacing the link only changes the job's own cache. Links, not
 * hard links (writable through) nor copies (the store's size, per job).
 */
import { mkdir, symlink } from "node:fs/promises";
import path from "node:path";
import { CONTENT_DIR, listContentBlobs } from "./mirror-npm-layout.ts";

/**
 * @param sharedDir the shared store on the host (listed).
 * @param jobCacheDir the job's cache on the host (written).
 * @param linkTarget where the shared store is when the links are followed: its
 *   path inside the sandbox, or `sharedDir` itself without one.
 * @returns how many blobs were linked.
 */
export async function seedNpmCache(sharedDir: string, jobCacheDir: string, linkTarget: string): Promise<number> {
  const blobs = await listContentBlobs(sharedDir, (kind) => kind === "file");
  const made = new Set<string>();
  for (const blob of blobs) {
    const link = path.join(jobCacheDir, CONTENT_DIR, blob.relative);
    const dir = path.dirname(link);
    if (!made.has(dir)) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      made.add(dir);
    }
    await symlink(path.posix.join(linkTarget, CONTENT_DIR, blob.relative), link);
  }
  return blobs.length;
}
