import { constants, type CopyOptions } from "node:fs";
import { cp, lstat, mkdir } from "node:fs/promises";
import path from "node:path";
import { PatchwrightError } from "../errors.ts";
import { runGit } from "./run-git.ts";

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
export async function copyInstalledFiles(fromDir: string, toDir: string): Promise<void> {
  const listed = await runGit(["ls-files", "--others", "--directory", "--no-empty-directory", "-z"], { cwd: fromDir });
  if (listed.exitCode !== 0) throw new PatchwrightError("internal", `Listing installed files failed: ${listed.stderr.trim()}`);
  const entries = listed.stdout
    .split("\0")
    .filter(Boolean)
    .map((entry) => entry.replace(/\/$/, ""))
    .filter((entry) => !entry.split("/").includes(".git"));
  for (const entry of entries) {
    const target = path.join(toDir, entry);
    await mkdir(path.dirname(target), { recursive: true });
    await copyEntry(path.join(fromDir, entry), target);
  }
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
