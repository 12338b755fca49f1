/**
 * Job directories of a cached repository and their owners. A job's writable
 * directories (its checkout `workspace/` and its private npm cache `npm/`)
 * live in one directory with a neutral name, `<parent>/pw-<16 hex>`, by
 * default under the OS temp directory: never under the data dir or the
 * repository's cache. The kernel shows a bind mount's source path inside the
 * sandbox (`/proc/self/mountinfo`, field 4), so that path must say nothing
 * about the data dir, the installation or the repository (issue 10, invariant 6).
 *
 * Each job directory has an owner record in the repository's cache
 * (`jobs/<id>.json`: pid, process start time, host, directory), written
 * before the directory exists and removed after it is gone, so the
 * directories of a worker that crashed (SIGKILL, OOM, power loss) are found
 * and deleted the next time a job opens the same repository.
 */
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { mkdir, readdir, readFile, realpath, rename, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { z } from "zod";
import type { RepoCachePaths } from "./mirror-cache-paths.ts";
import { removeWorkspace, WORKSPACE_PREFIX } from "./remove-workspace.ts";

const OwnerRecord = z.object({
  /** Process that created the checkout. */
  pid: z.number().int().positive(),
  /** Its start time (clock ticks after boot, from /proc), so a reused pid is not taken for it; null off Linux. */
  start: z.string().nullable(),
  /** Host name: records of other machines sharing the cache root are theirs to prune. */
  host: z.string(),
  /** The job directory (`pw-<id>`; in records of earlier versions, the checkout itself). */
  dir: z.string(),
});
type OwnerRecord = z.infer<typeof OwnerRecord>;

/** Prefix of a job directory's name; the rest is the job's id (16 hex digits) and nothing else. */
export const JOB_DIR_PREFIX = "pw-";
const JOB_DIR_NAME = /^pw-[0-9a-f]{16}$/;

/** Ids of the job directories this process reserved and has not released: their owner is alive. */
const ownIds = new Set<string>();

export interface ReservedCheckout {
  /** The job's id in this cache: names its owner record and its job directory (`pw-<id>`). */
  readonly id: string;
  /** Canonical path of the job directory (private, 0700), which holds `dir` and `npmCacheDir`. */
  readonly jobDir: string;
  /** Canonical path of the new, empty, private (0700) checkout directory: `<jobDir>/workspace`. */
  readonly dir: string;
  /** Where the job's private npm cache goes (not created yet): `<jobDir>/npm`. */
  readonly npmCacheDir: string;
  /** Where the job's read-only view of the shared npm store goes (not created yet): `<jobDir>/npm-shared`. */
  readonly npmSharedDir: string;
  /**
   * Moves the checkout out of its path (to `<jobDir>/disposed`, one rename):
   * gone at once for anyone who looks, before `release` deletes it all.
   */
  retire(): Promise<void>;
  /** Deletes the job directory, then its owner record. Idempotent. */
  release(): Promise<void>;
  /** `release` for a process that is exiting (an `exit` listener cannot wait). */
  releaseSync(): void;
}

/**
 * Creates a job directory owned by this process, with an empty checkout directory in it.
 * @param parentDir where to create it; default the OS temp directory (`TMPDIR`).
 *   Its path is visible inside the sandbox: keep it neutral, and on a disk
 *   with room for workspaces (not a small tmpfs).
 */
export async function reserveCheckout(paths: RepoCachePaths, parentDir: string = tmpdir()): Promise<ReservedCheckout> {
  const id = randomBytes(8).toString("hex");
  const dir = path.join(path.resolve(parentDir), `${JOB_DIR_PREFIX}${id}`);
  const record = path.join(paths.jobsDir, `${id}.json`);
  const owner: OwnerRecord = { ...(await currentOwner()), dir };
  // Written whole, then renamed into place: a pruner never sees half a record.
  await writeFile(`${record}.tmp`, JSON.stringify(owner), { mode: 0o600, flag: "wx" });
  await rename(`${record}.tmp`, record);
  ownIds.add(id);
  try {
    await mkdir(dir, { mode: 0o700 });
    await mkdir(path.join(dir, "workspace"), { mode: 0o700 });
  } catch (error) {
    await removeWorkspace(dir).catch(() => undefined);
    await rm(record, { force: true });
    ownIds.delete(id);
    throw error;
  }
  const jobDir = await realpath(dir);
  let released: Promise<void> | undefined;
  return {
    id,
    jobDir,
    dir: path.join(jobDir, "workspace"),
    npmCacheDir: path.join(jobDir, "npm"),
    npmSharedDir: path.join(jobDir, "npm-shared"),
    retire: () =>
      rename(path.join(jobDir, "workspace"), path.join(jobDir, "disposed")).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "ENOENT") throw error;
      }),
    release: () =>
      (released ??= (async () => {
        await removeWorkspace(jobDir);
        await rm(record, { force: true });
        ownIds.delete(id);
      })()),
    releaseSync: () => {
      // Possibly while an asynchronous removal of the same files is under way: retried.
      rmSync(jobDir, { recursive: true, force: true, maxRetries: 3 });
      rmSync(record, { force: true });
      ownIds.delete(id);
    },
  };
}

/**
 * Deletes the job directories (checkout and private npm cache) and records whose owner process
 * on this host is gone. Call it with the mirror lock held, so two pruners do not race.
 * @returns the directories removed.
 */
export async function pruneStaleCheckouts(paths: RepoCachePaths): Promise<string[]> {
  const here = hostname();
  const removed: string[] = [];
  for (const name of await readdir(paths.jobsDir).catch(() => [])) {
    // This process's own jobs and spares are alive: no record to read.
    if (!name.endsWith(".json") || ownIds.has(name.slice(0, -".json".length))) continue;
    const record = path.join(paths.jobsDir, name);
    const parsed = OwnerRecord.safeParse(await readJson(record));
    if (!parsed.success) {
      // Records are renamed into place whole; an unreadable one is debris.
      await rm(record, { force: true });
      continue;
    }
    const owner = parsed.data;
    if (owner.host !== here || (await isOwnerAlive(owner))) continue;
    // A guard against a damaged record naming a directory we never created. Its npm cache
    // goes with it, unpromoted: nobody can say the job had finished writing it.
    const base = path.basename(owner.dir);
    if (JOB_DIR_NAME.test(base) || base.startsWith(WORKSPACE_PREFIX)) {
      await removeWorkspace(owner.dir);
      removed.push(owner.dir);
    }
    // Records of earlier versions: the checkout under `checkouts/`, the npm cache under `npm-jobs/<id>`.
    const id = name.slice(0, -".json".length);
    if (/^[0-9a-f]{16}$/.test(id)) await removeWorkspace(path.join(paths.root, "npm-jobs", id));
    await rm(record, { force: true });
  }
  return removed;
}

async function currentOwner(): Promise<Omit<OwnerRecord, "dir">> {
  return { pid: process.pid, start: await processStart(process.pid), host: hostname() };
}

async function isOwnerAlive(owner: OwnerRecord): Promise<boolean> {
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: it exists, under another user.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  if (owner.start === null) return true;
  // Same pid, different start time (or a zombie): the owner is gone and the pid reused.
  return (await processStart(owner.pid)) === owner.start;
}

/** A process's start time from `/proc/<pid>/stat` (field 22); null when unavailable or a zombie. */
async function processStart(pid: number): Promise<string | null> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  if (stat === undefined) return null;
  // Fields after the command name (which may contain spaces and parentheses).
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  if (fields[0] === "Z" || fields[0] === "X") return null;
  return fields[19] ?? null;
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, "utf8"));
  } catch {
    return undefined;
  }
}
