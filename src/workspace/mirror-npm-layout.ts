/**
 * The one part of npm's cache (cacache) that jobs share: content blobs, each
 * stored under its own sha512, `_cacache/content-v2/sha512/<2 hex>/<2 hex>/<124 hex>`.
 * Shared by the seed (`mirror-npm-seed.ts`) and the promotion (`mirror-npm-promote.ts`).
 */
import { readdir } from "node:fs/promises";
import path from "node:path";

/** The sha512 content directory, relative to an npm cache directory (`npm_config_cache`). */
export const CONTENT_DIR = path.join("_cacache", "content-v2", "sha512");

const BYTE = /^[0-9a-f]{2}$/;
const REST = /^[0-9a-f]{124}$/;

/** A blob: its path under `CONTENT_DIR` and the sha512 (hex) its bytes must have. */
export interface ContentBlob {
  readonly relative: string;
  readonly sha512: string;
}

/**
 * The blobs under `cacheDir`'s content directory, as found: real directories
 * with cacache's names only (a symbolic link, to a directory or a file, is
 * never followed), and entries that `keep` accepts.
 * @param keep given the directory entry's kind: `file` or `symlink`.
 */
export async function listContentBlobs(cacheDir: string, keep: (kind: "file" | "symlink") => boolean): Promise<ContentBlob[]> {
  const root = path.join(cacheDir, CONTENT_DIR);
  const blobs: ContentBlob[] = [];
  for (const first of await realDirs(root)) {
    for (const second of await realDirs(path.join(root, first))) {
      const entries = await readdir(path.join(root, first, second), { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        const kind = entry.isFile() ? "file" : entry.isSymbolicLink() ? "symlink" : undefined;
        if (kind === undefined || !REST.test(entry.name) || !keep(kind)) continue;
        blobs.push({ relative: path.join(first, second, entry.name), sha512: `${first}${second}${entry.name}` });
      }
    }
  }
  return blobs;
}

async function realDirs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isDirectory() && BYTE.test(entry.name)).map((entry) => entry.name);
}
