/**
 * Spare checkouts: for each recently used repository, one job directory
 * prepared in the background with the working tree and index of the commit
 * its last job opened. The next job of the repository (in this process, with
 * the same parent directory) takes it instead of a new empty one: its new
 * repository, which holds only its own commit's objects, then checks out its
 * commit over that index (`git read-tree --reset -u`), which rewrites only
 * the files whose content or mode differ and deletes those its commit lacks,
 * as `git checkout` from one commit to the other does. Consecutive commits
 * share most files, so a job writes a few files instead of thousands.
 *
 * What a job is given stays exactly its own commit: the spare is written by
 * host git from the mirror, in a private job directory no sandbox has seen;
 * it holds tracked files only, so the checkout leaves no path of the other
 * commit behind (emptied directories go too); the index is replaced whole;
 * and `.git` is new, with no object of the other commit (which may be an
 * embargoed fix fetched for another job). docs/0018-warm-workspace-open.md.
 *
 * Used with `openWorkspace`'s `spare: true` (off by default). A spare is an
 * owner-recorded job directory like any other: a crashed worker's are pruned
 * by the next open of the repository, and an exiting process deletes its own
 * (`exit` listener; not on a signal: call `discardSpareCheckouts` at
 * shutdown). At most `MAX_SPARES` are kept.
 */
import { mkdir } from "node:fs/promises";
import { setTimeout as delay } from "node:timers/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { RepoCachePaths } from "./mirror-cache-paths.ts";
import { type ReservedCheckout, reserveCheckout } from "./mirror-checkouts.ts";
import { removeInBackground } from "./remove-workspace.ts";
import { runGit } from "./run-git.ts";

/** Spares kept by one process (one per repository and parent directory), the least recently made dropped first. */
export const MAX_SPARES = 4;

interface Spare {
  readonly checkout: ReservedCheckout;
  /** The commit whose tree and index it holds. */
  readonly sha: string;
}

/** Ready spares by key, in the order they were made. */
const spares = new Map<string, Spare>();
/** Keys with a spare being made, and the promises to wait for. */
const preparing = new Map<string, Promise<void>>();
/** The job directories of spares being made, for the exit listener. */
const making = new Set<ReservedCheckout>();
let exitHookInstalled = false;

/**
 * Takes the ready spare for `paths` under `parentDir`, if any: the caller
 * owns it from now on (its `release` deletes it).
 * @returns its job directory, with the tree of another commit in `dir` and that tree's index in `dir/.git/index`.
 */
export function takeSpareCheckout(paths: RepoCachePaths, parentDir: string | undefined): ReservedCheckout | undefined {
  const key = spareKey(paths, parentDir);
  const spare = spares.get(key);
  spares.delete(key);
  return spare?.checkout;
}

/**
 * Starts making a spare of `sha` for the next job of `paths` under
 * `parentDir`, unless one is ready or being made. Never throws: a spare that
 * cannot be made is deleted and the next job writes its checkout in full.
 */
export function prepareSpareCheckout(paths: RepoCachePaths, parentDir: string | undefined, sha: string): void {
  const key = spareKey(paths, parentDir);
  if (spares.has(key) || preparing.has(key)) return;
  installExitHook();
  const made = makeSpare(paths, parentDir, sha).then(
    (spare) => {
      if (spare !== undefined) keep(key, spare);
    },
    () => undefined,
  );
  preparing.set(key, made);
  void made.finally(() => preparing.delete(key));
}

/** Waits until no spare is being made (tests, benchmarks). */
export async function drainSpareCheckouts(): Promise<void> {
  while (preparing.size > 0) await Promise.all(preparing.values());
}

/** Deletes every spare of this process, after those being made: at shutdown, and in tests. */
export async function discardSpareCheckouts(): Promise<void> {
  await drainSpareCheckouts();
  const all = [...spares.values()];
  spares.clear();
  await Promise.all(all.map((spare) => spare.checkout.release()));
}

/**
 * A job directory whose checkout holds the tree of `sha` and whose
 * `.git/index` (the only file in `.git`) describes it, both written by host
 * git from the mirror. Without the mirror lock: git reads a pack that a
 * concurrent `gc` replaces from the new one, and a commit `gc` dropped fails
 * the spare, nothing else.
 */
async function makeSpare(paths: RepoCachePaths, parentDir: string | undefined, sha: string): Promise<Spare | undefined> {
  const checkout = await reserveCheckout(paths, parentDir);
  making.add(checkout);
  try {
    await mkdir(path.join(checkout.dir, ".git"), { mode: 0o755 });
    const git = (args: string[]): ReturnType<typeof runGit> =>
      runGit(["--git-dir", paths.mirrorDir, "--work-tree", checkout.dir, ...args], {
        cwd: checkout.dir,
        env: { GIT_INDEX_FILE: path.join(checkout.dir, ".git", "index") },
      });
    const written = await git(["read-tree", "--reset", "-u", sha]);
    // Files written in the second the index was (git compares whole seconds) are "racily
    // clean": every later comparison would read and hash them all. Once the second is
    // over, a refresh rewrites the index, and the job's checkout compares stat data only.
    await delay(1_010 - (Date.now() % 1_000));
    const refreshed = written.exitCode === 0 ? await git(["update-index", "-q", "--refresh"]) : written;
    if (refreshed.exitCode === 0) return { checkout, sha };
  } catch {
    // Below: a spare that is not complete is deleted.
  } finally {
    making.delete(checkout);
  }
  await checkout.release();
  return undefined;
}

function keep(key: string, spare: Spare): void {
  spares.set(key, spare);
  for (const [oldKey, old] of spares) {
    if (spares.size <= MAX_SPARES) break;
    spares.delete(oldKey);
    removeInBackground(
      () => old.checkout.release(),
      () => old.checkout.releaseSync(),
    );
  }
}

/** Unlike a job's, nobody disposes of a spare: the process deletes its own, ready or being made, as it exits. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const left of [...spares.values()].map((spare) => spare.checkout).concat([...making])) left.releaseSync();
  });
}

function spareKey(paths: RepoCachePaths, parentDir: string | undefined): string {
  return `${paths.root}\n${path.resolve(parentDir ?? tmpdir())}`;
}
