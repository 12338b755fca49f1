/**
 * Reads a small file of the fresh checkout on the host: only a regular file
 * inside it (no symlink, however it points; no path out of it), capped.
 * The checkout is the attacker's: a `.nvmrc` that links to a host file must
 * read as missing, never as the host file.
 */
import { lstat, readFile } from "node:fs/promises";
import { resolveInJail } from "../security/path-jail.ts";

/** Settings files are small; a bigger one is treated as missing. */
export const MAX_REPO_FILE_BYTES = 1024 * 1024;

/** The text of `relativePath` in `dir`, or null when missing, refused or too big. Never throws. */
export async function readRepoFile(dir: string, relativePath: string, maxBytes = MAX_REPO_FILE_BYTES): Promise<string | null> {
  const jailed = await resolveInJail(dir, relativePath);
  if (!jailed.ok || jailed.realRelative !== jailed.relative) return null;
  try {
    const info = await lstat(jailed.absolute);
    if (!info.isFile() || info.size > maxBytes) return null;
    return await readFile(jailed.absolute, "utf8");
  } catch {
    return null;
  }
}
