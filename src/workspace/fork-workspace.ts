import { constants, type CopyOptions } from "node:fs";
import { cp, lstat, mkdir, realpath } from "node:fs/promises";
import path from "node:path";
import { listUntracked } from "./list-untracked.ts";
import type { Workspace } from "./types.ts";

/**
 * What `cp -a --reflink=auto` kept that matters to a checkout: file modes
 * (executables in `node_modules/.bin`), file timestamps (build tools and
 * caches compare them) and symlinks as the links they are. `verbatimSymlinks`
 * is essential: without it Node rewrites a relative link
 * (`.bin/tsc -> ../typescript/bin/tsc`) to an absolute path into the base
 * checkout, which the fork's sandbox cannot see. `force: false` never
 * replaces a file the fresh checkout already has (an untracked entry has no
 * tracked counterpart, so this is a guard, not a merge). COPYFILE_FICLONE shares
 * blocks (a reflink) where the file system can, and copies where it cannot.
 * Not kept, and not needed here: directory timestamps, hard links between
 * copied files, and owners (the worker owns both checkouts).
 */
const COPY_OPTIONS: CopyOptions = {
  recursive: true,
  preserveTimestamps: true,
  verbatimSymlinks: true,
  force: false,
  errorOnExist: false,
  mode: constants.COPYFILE_FICLONE,
};

/** fs.cp refuses these (cp -a made new ones). */
const SPECIAL_FILE_ERRORS = new Set(["ERR_FS_CP_SOCKET", "ERR_FS_CP_FIFO_PIPE"]);

/**
 * Gives a fresh checkout of the same commit what setup installed in the first
 * one (untracked and ignored files: `node_modules/`, build outputs), so parallel
 * fixers do not each re-run the install. Copies use reflinks where the file
 * system has them.
 */
export async function copyInstalledFiles(from: Workspace, toDir: string): Promise<void> {
  // Listed by git in the base's sandbox; each entry is then checked on the host before anything is read.
  const entries = (await listUntracked(from, { ignored: true })).map((entry) => entry.replace(/\/$/, ""));
  for (const entry of entries) {
    const source = await insideCheckout(from.dir, entry);
    if (source === null) continue;
    const target = path.join(toDir, entry);
    await mkdir(path.dirname(target), { recursive: true });
    await copyEntry(source, target);
  }
}

/**
 * The host path of `entry` when it lies in the checkout as listed: a plain
 * relative path, no `.git` in it, and no symbolic link on the way (a link
 * there would have the host read whatever it points at). The entry itself
 * may be a link: it is copied as the link it is.
 */
async function insideCheckout(root: string, entry: string): Promise<string | null> {
  const parts = entry.split("/");
  if (entry === "" || path.isAbsolute(entry) || parts.some((p) => p === "" || p === "." || p === ".." || p.toLowerCase() === ".git")) return null;
  const parent = path.join(root, ...parts.slice(0, -1));
  const real = await realpath(parent).catch(() => null);
  if (real !== path.join(await realpath(root), ...parts.slice(0, -1))) return null;
  return path.join(parent, parts.at(-1)!);
}

/**
 * Copies one listed entry. A socket or named pipe that a command left behind
 * (a test server's socket file) makes fs.cp stop; such a file means nothing
 * without the process that made it, so the entry is copied again without
 * them. The common case pays no extra `lstat` per file; the rare second pass
 * only adds what the first did not copy (fs.cp would otherwise redo every
 * symlink, `force: false` notwithstanding, and fail on a dangling one).
 */
async function copyEntry(from: string, to: string): Promise<void> {
  try {
    await cp(from, to, COPY_OPTIONS);
  } catch (error) {
    if (!SPECIAL_FILE_ERRORS.has((error as NodeJS.ErrnoException).code ?? "")) throw error;
    await cp(from, to, { ...COPY_OPTIONS, filter: notYetCopied });
  }
}

/** Directories (to descend into), and other files neither special nor already at `destination`. */
async function notYetCopied(source: string, destination: string): Promise<boolean> {
  const stats = await lstat(source);
  if (stats.isDirectory()) return true;
  if (stats.isSocket() || stats.isFIFO()) return false;
  return (await lstat(destination).catch(() => null)) === null;
}

/** A second workspace at the same commit (`open`), given `base`'s installed files; removed again if the copy fails. */
export async function forkWorkspace(base: Workspace, open: () => Promise<Workspace>): Promise<Workspace> {
  const fork = await open();
  try {
    await copyInstalledFiles(base, fork.dir);
    return fork;
  } catch (error) {
    await fork.dispose();
    throw error;
  }
}
