/**
 * One toolchain cache entry on disk, `<root>/<name>/`: built in a temporary
 * directory beside it, sealed (files 0444/0555, directories 0555, readable
 * by everyone: the sandbox runs as another user), marked complete last, and
 * renamed into place. A rename onto an existing entry fails, so when two
 * processes build the same entry the first rename wins and the other
 * discards its copy: no lock, and never a half-written entry under the
 * final name.
 */
import { lstat, mkdtemp, readdir, readFile, rename, rm, chmod, writeFile } from "node:fs/promises";
import path from "node:path";

/** Written last into an entry; its presence means the entry is whole. */
export const COMPLETE_MARKER = ".complete";

/** What `.complete` holds: enough to tell a damaged or foreign entry. */
export interface EntryMarker {
  readonly tool: string;
  readonly version: string;
  /** The npm package the tarball came from. */
  readonly package: string;
  /** The tarball's `sha512-…` integrity. */
  readonly integrity: string;
  /** Files that must exist, relative to the entry (the binary and its shim). */
  readonly files: readonly string[];
}

/**
 * The entry's marker when the entry is whole; otherwise why not.
 * @param expect what the marker must say (`integrity` only when known).
 */
export async function checkEntry(
  dir: string,
  expect: { tool: string; version: string; integrity?: string },
): Promise<{ ok: true; marker: EntryMarker } | { ok: false; why: string }> {
  const text = await readFile(path.join(dir, COMPLETE_MARKER), "utf8").catch(() => null);
  if (text === null) return { ok: false, why: `it has no ${COMPLETE_MARKER} marker` };
  const marker = parseMarker(text);
  if (!marker || marker.tool !== expect.tool || marker.version !== expect.version) return { ok: false, why: `its ${COMPLETE_MARKER} marker is not this entry's` };
  if (expect.integrity !== undefined && !expect.integrity.split(/\s+/).includes(marker.integrity)) {
    return { ok: false, why: "its tarball's integrity differs from the registry's" };
  }
  for (const file of marker.files) {
    if (!(await lstat(path.join(dir, file)).then(() => true, () => false))) return { ok: false, why: `${file} is missing` };
  }
  return { ok: true, marker };
}

function parseMarker(text: string): EntryMarker | null {
  try {
    const json = JSON.parse(text) as Partial<EntryMarker>;
    const strings = [json.tool, json.version, json.package, json.integrity].every((v) => typeof v === "string");
    if (!strings || !Array.isArray(json.files) || !json.files.every((f) => typeof f === "string" && !f.includes(".."))) return null;
    if (!/^sha512-[A-Za-z0-9+/]+=*$/.test(json.integrity ?? "")) return null;
    return json as EntryMarker;
  } catch {
    return null;
  }
}

/** A fresh private directory in `root` to build an entry in. */
export function makeBuildDir(root: string, name: string): Promise<string> {
  return mkdtemp(path.join(root, `.tmp-${name}-`));
}

/** Writes the marker, seals the tree read-only and renames it to `<root>/<name>`; false when another build won. */
export async function installEntry(buildDir: string, finalDir: string, marker: EntryMarker): Promise<boolean> {
  await writeFile(path.join(buildDir, COMPLETE_MARKER), `${JSON.stringify(marker)}\n`, { mode: 0o444 });
  await chmod(path.join(buildDir, COMPLETE_MARKER), 0o444);
  await seal(buildDir);
  try {
    await rename(buildDir, finalDir);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOTEMPTY" || code === "EEXIST") {
      await removeTree(buildDir);
      return false;
    }
    throw error;
  }
}

/** Directories 0555, bottom-up (files were written with their final modes). */
async function seal(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await seal(path.join(dir, entry.name));
  }
  await chmod(dir, 0o555);
}

/**
 * Moves a damaged entry aside (atomically, so no job sees it half-deleted
 * under its name) and deletes it. A concurrent removal by another process is fine.
 */
export async function discardEntry(root: string, dir: string): Promise<void> {
  const trash = path.join(root, `.trash-${path.basename(dir)}-${process.pid}-${Date.now()}`);
  const moved = await rename(dir, trash).then(() => true, () => false);
  if (moved) await removeTree(trash);
}

/** Deletes a tree whose directories may be read-only. */
export async function removeTree(dir: string): Promise<void> {
  const unseal = async (current: string): Promise<void> => {
    await chmod(current, 0o700).catch(() => undefined);
    const entries = await readdir(current, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) if (entry.isDirectory()) await unseal(path.join(current, entry.name));
  };
  await unseal(dir);
  await rm(dir, { recursive: true, force: true });
}

/** Removes builds and trash left by crashed processes (older than `maxAgeMs`). */
export async function sweepLeftovers(root: string, now: number, maxAgeMs: number): Promise<void> {
  const names = await readdir(root).catch(() => []);
  for (const name of names) {
    if (!name.startsWith(".tmp-") && !name.startsWith(".trash-")) continue;
    const info = await lstat(path.join(root, name)).catch(() => null);
    if (info && now - info.mtimeMs > maxAgeMs) await removeTree(path.join(root, name));
  }
}
