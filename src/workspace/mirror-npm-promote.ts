/**
 * The only way content enters a repository's shared npm store: the host,
 * after a job, copies each blob the job's npm wrote whose bytes hash to the
 * sha512 in its name. A blob that does not (a planted "lodash" under the real
 * lodash's digest) is dropped; so is everything that is not a content blob
 * (index entries, which map URLs to content and could point anywhere; logs;
 * links). Files are opened without following links, hashed as they are
 * copied, and the copy is renamed into place only when the hash matches: the
 * shared store holds exactly the bytes that were verified.
 */
import { createHash, randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { CONTENT_DIR, listContentBlobs } from "./mirror-npm-layout.ts";

export interface PromoteResult {
  /** Blobs added to the shared store. */
  readonly promoted: number;
  /** Blobs whose bytes did not match their name, or that were not plain files. */
  readonly rejected: number;
  /** Blobs the store already had. */
  readonly present: number;
}

/** Blobs larger than this stay out of the shared store (npm tarballs are far smaller). */
export const MAX_BLOB_BYTES = 512 * 1024 * 1024;

/**
 * Call only once no process of the job can write its cache any more.
 * @param jobCacheDir the job's npm cache on the host.
 * @param sharedDir the repository's shared store.
 */
export async function promoteNpmContent(jobCacheDir: string, sharedDir: string): Promise<PromoteResult> {
  // Links are the seed's (or the job's own): only plain files are new content.
  const blobs = await listContentBlobs(jobCacheDir, (kind) => kind === "file");
  // Beside the store, not in it: nothing half-written is ever under a blob's name or visible inside.
  const tmpDir = path.join(sharedDir, ".promoting");
  let promoted = 0;
  let rejected = 0;
  let present = 0;
  for (const blob of blobs) {
    const destination = path.join(sharedDir, CONTENT_DIR, blob.relative);
    if (await exists(destination)) {
      present += 1;
      continue;
    }
    await mkdir(tmpDir, { recursive: true, mode: 0o700 });
    const tmp = path.join(tmpDir, `promote-${randomBytes(8).toString("hex")}`);
    const verified = await copyVerified(path.join(jobCacheDir, CONTENT_DIR, blob.relative), tmp, blob.sha512).catch(async () => {
      await rm(tmp, { force: true });
      return false;
    });
    if (!verified) {
      rejected += 1;
      continue;
    }
    // Readable by the sandbox user of a root worker: the store is only reachable through the repository's private directory.
    await mkdir(path.dirname(destination), { recursive: true, mode: 0o755 });
    // Same bytes whoever wins a race with another job's promotion.
    await rename(tmp, destination);
    promoted += 1;
  }
  return { promoted, rejected, present };
}

/** Copies `source` (a plain file, not followed if a link) to a new `target` and tells whether its sha512 is `sha512`; a mismatch leaves no target. */
async function copyVerified(source: string, target: string, sha512: string): Promise<boolean> {
  const input = await open(source, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const info = await input.stat();
    if (!info.isFile() || info.size > MAX_BLOB_BYTES) return false;
    const output = await open(target, "wx", 0o444);
    const hash = createHash("sha512");
    let total = 0;
    try {
      const buffer = Buffer.alloc(1024 * 1024);
      for (;;) {
        const { bytesRead } = await input.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) break;
        total += bytesRead;
        if (total > MAX_BLOB_BYTES) break;
        const chunk = buffer.subarray(0, bytesRead);
        hash.update(chunk);
        await output.write(chunk);
      }
    } finally {
      await output.close();
    }
    if (total <= MAX_BLOB_BYTES && hash.digest("hex") === sha512) return true;
    await rm(target, { force: true });
    return false;
  } finally {
    await input.close();
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
