/**
 * Where one repository's cache lives: a directory per (installation, host,
 * repository) under the cache root, so nothing (objects, npm cache, lock) is
 * ever shared across repositories or installations.
 */
import { createHash } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { PatchwrightError } from "../errors.ts";
import { publicCloneUrl } from "./git-auth-env.ts";

export interface RepoCachePaths {
  /** `<cacheRoot>/<key>`: everything of this repository. */
  readonly root: string;
  /** The bare mirror; only host git (fetch, local clone) ever touches it. */
  readonly mirrorDir: string;
  /**
   * The npm content shared by this repository's jobs: written by the host only,
   * with blobs that match their sha512 name (`mirror-npm-promote.ts`); read-only inside.
   */
  readonly npmCacheDir: string;
  /**
   * One owner record per live job directory (checkout and private npm cache,
   * kept outside the cache under a neutral name: `mirror-checkouts.ts`), for
   * pruning those of crashed processes.
   */
  readonly jobsDir: string;
  /** The lock file serialising mirror updates (`mirror-lock.ts`). */
  readonly lockFile: string;
}

export interface RepoCacheKeyInput {
  /** e.g. `PATCHWRIGHT_DATA_DIR/mirrors`. */
  readonly cacheRoot: string;
  /** The GitHub App installation the token belongs to. */
  readonly installationId: number;
  /** https URL of the repository (credentials ignored). */
  readonly cloneUrl: string;
}

/**
 * The repository's cache paths. The directory name is readable
 * (`<installation>-<host>-<owner>-<name>-<hash>`) and the hash over the
 * exact (installation, host, path) makes it injective whatever the names hold.
 * @throws PatchwrightError `internal` for a non-positive-integer installation id.
 */
export function repoCachePaths(input: RepoCacheKeyInput): RepoCachePaths {
  const { installationId } = input;
  if (!Number.isSafeInteger(installationId) || installationId <= 0) {
    throw new PatchwrightError("internal", `Installation id ${installationId} is not a positive integer; pass the job's installationId.`);
  }
  const url = new URL(publicCloneUrl(input.cloneUrl));
  // GitHub names are case-insensitive: O/R and o/r are one repository.
  const host = url.host.toLowerCase();
  const repoPath = url.pathname.toLowerCase().replace(/\.git$/, "").replace(/^\/+|\/+$/g, "");
  const hash = createHash("sha256").update(`${installationId}\n${host}\n${repoPath}`).digest("hex").slice(0, 16);
  const readable = [String(installationId), host, ...repoPath.split("/")].map(safeSegment).join("-").slice(0, 120);
  const root = path.join(path.resolve(input.cacheRoot), `${readable}-${hash}`);
  return {
    root,
    mirrorDir: path.join(root, "mirror.git"),
    npmCacheDir: path.join(root, "npm-content"),
    jobsDir: path.join(root, "jobs"),
    lockFile: path.join(root, "lock"),
  };
}

/**
 * Creates the repository's cache directories (private: 0700), and deletes the
 * npm cache that jobs used to share writable (`npm/`): nothing in it was verified.
 * Job checkouts and private npm caches are not here (`mirror-checkouts.ts`);
 * an older version's `checkouts/` and `npm-jobs/` are emptied by the pruning of their records.
 */
export async function ensureRepoCacheDirs(paths: RepoCachePaths): Promise<void> {
  await rm(path.join(paths.root, "npm"), { recursive: true, force: true }).catch(() => undefined);
  for (const dir of [paths.root, paths.npmCacheDir, paths.jobsDir]) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  }
}

function safeSegment(segment: string): string {
  return segment.replace(/[^a-z0-9._]+/g, "_") || "_";
}
