/** Reads the failed job's workflow file from the fresh checkout of the failing commit. */
import { lstat, readFile } from "node:fs/promises";
import { resolveInJail } from "../security/path-jail.ts";

/** Workflow files are small; anything larger is not one GitHub would run. */
const MAX_BYTES = 1024 * 1024;

/**
 * The workflow at `relativePath` in `dir`, as CI ran it: the checkout is at
 * the failing commit and nothing has run in it yet. Only a regular file
 * inside the checkout is read (no symlink, however it points; no path out of
 * it). Undefined when missing or refused: the reproduction then falls back to
 * the config or package.json, and says so.
 */
export async function readWorkflowFile(dir: string, relativePath: string): Promise<{ path: string; text: string } | undefined> {
  const jailed = await resolveInJail(dir, relativePath);
  if (!jailed.ok || jailed.realRelative !== jailed.relative) return undefined;
  try {
    const info = await lstat(jailed.absolute);
    if (!info.isFile() || info.size > MAX_BYTES) return undefined;
    return { path: relativePath, text: await readFile(jailed.absolute, "utf8") };
  } catch {
    return undefined;
  }
}
