/** Creation and removal of the per-job workspace directories. */
import { chmod, mkdtemp, readdir, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

/** Prefix of every workspace directory, so stray ones are easy to spot and clean. */
export const WORKSPACE_PREFIX = "patchwright-ws-";

/**
 * Creates an empty, private (0700) directory for one job and returns its
 * canonical path (bubblewrap binds it, so symlinks in the tmp path must be resolved).
 * @param parent where to create it; default the OS temp directory.
 */
export async function createTempWorkspaceDir(parent: string = tmpdir()): Promise<string> {
  return realpath(await mkdtemp(path.join(parent, WORKSPACE_PREFIX)));
}

/**
 * Deletes a workspace and everything in it. Safe to call twice and on a
 * directory that never existed. Read-only directories left by builds (Go's
 * module cache, for one) are made writable first, since a non-root worker
 * could not delete their contents otherwise.
 */
export async function removeWorkspace(dir: string): Promise<void> {
  const resolved = path.resolve(dir);
  // A guard against a bug handing us "/" or a home directory.
  if (resolved === path.parse(resolved).root || resolved.split(path.sep).filter(Boolean).length < 2) {
    throw new Error(`Refusing to remove ${resolved}: not a workspace directory.`);
  }
  try {
    await rm(resolved, { recursive: true, force: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EACCES" && (error as NodeJS.ErrnoException).code !== "EPERM") throw error;
    await makeWritable(resolved);
    await rm(resolved, { recursive: true, force: true });
  }
}

/** Removals started by `removeInBackground` and not settled yet (with their synchronous form), and what failed since the last drain. */
const pending = new Map<Promise<void>, () => void>();
const failures: unknown[] = [];
let exitHookInstalled = false;

/**
 * Starts `removal` (deleting a disposed job's directory) without waiting for
 * it: a job's dispose returns while its files go, off the next job's path.
 * Tracked until it settles: `drainWorkspaceRemovals` waits for every one, and
 * a process that exits first runs `removalSync` for those still running.
 */
export function removeInBackground(removal: () => Promise<void>, removalSync: () => void): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const finish of pending.values()) finish();
    });
  }
  const running: Promise<void> = removal().then(
    () => undefined,
    (error: unknown) => void failures.push(error),
  );
  pending.set(running, removalSync);
  void running.finally(() => pending.delete(running));
}

/**
 * Waits until every background removal started so far (and any started
 * meanwhile) has finished: before a worker exits, and in tests.
 * @throws AggregateError of the removals that failed since the last drain
 *   (their owner records stay: the next start prunes their directories).
 */
export async function drainWorkspaceRemovals(): Promise<void> {
  while (pending.size > 0) await Promise.all(pending.keys());
  if (failures.length > 0) throw new AggregateError(failures.splice(0), "Some disposed workspaces could not be deleted.");
}

async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o700).catch(() => undefined);
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (entry.isDirectory()) await makeWritable(path.join(dir, entry.name));
  }
}
