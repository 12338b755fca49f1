/**
 * Seeds a job's private npm cache with the repository's shared blobs: one
 * symbolic link per blob, pointing at the shared store as the sandbox sees it
 * (mounted read-only there). npm reads through the link (and checks the bytes
 * against the integrity it asked for); it cannot write through it (read-only
 * mount), and replacing the link only changes the job's own cache. Links, not
 * hard links (writable through) nor copies (the store's size, per job).
 */
import { link, mkdir, symlink } from "node:fs/promises";
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

/**
 * The job's read-only view of the shared store: a hard link to every blob,
 * in a directory beside the job's checkout. It is what the sandbox binds (at
 * `SANDBOX_NPM_SHARED`), not the store itself: a bind's source path shows
 * inside the sandbox (`/proc/self/mountinfo`), and the store's path names the
 * data dir, the installation and the repository; the job directory's names
 * nothing. Hard links are safe here where they would not be in the job's
 * writable cache: inside the sandbox the blobs are reachable only through a
 * read-only mount (no write, chmod or new link through it: EROFS, EXDEV), and
 * the host only ever renames new blobs into the store, never rewrites one.
 * Across file systems (EXDEV: the job directories are elsewhere than the data
 * dir) the view stays empty and the job downloads what it needs.
 * @returns how many blobs were linked.
 */
export async function linkNpmStore(storeDir: string, viewDir: string): Promise<number> {
  await mkdir(viewDir, { mode: 0o755 });
  const made = new Set<string>();
  let linked = 0;
  for (const blob of await listContentBlobs(storeDir, (kind) => kind === "file")) {
    const target = path.join(viewDir, CONTENT_DIR, blob.relative);
    const dir = path.dirname(target);
    if (!made.has(dir)) {
      await mkdir(dir, { recursive: true, mode: 0o755 });
      made.add(dir);
    }
    try {
      await link(path.join(storeDir, CONTENT_DIR, blob.relative), target);
      linked += 1;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EXDEV") return linked;
      throw error;
    }
  }
  return linked;
}
