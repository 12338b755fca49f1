/**
 * The workspace's current files as a git tree in the host's repository,
 * without host git ever looking at the files (docs/0011-host-git-by-construction.md).
 *
 * Git inside the sandbox — no secrets, no network, the checkout's `.git`
 * read-only — stages the working tree into a private index and object
 * directory under its own `/tmp`, writes the tree, and packs the objects
 * the tree has beyond HEAD into one file in the workspace. The host takes
 * that file as data only: a regular file, opened without following links,
 * bounded in size, fed to `git index-pack --strict` (git's own object checks,
 * as for a fetch), then deleted. The tree must then be complete in the host's
 * repository. Whatever the sandbox made of .gitignore, nested repositories,
 * filters or links, the result is just objects; the diff policy reads their
 * raw modes (`diff-trees.ts`) and the commit is built from that exact tree.
 */
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { open, unlink } from "node:fs/promises";
import path from "node:path";
import { PatchwrightError } from "../errors.ts";
import { redact } from "../security/redact.ts";
import { runHostGit } from "./host-repository.ts";
import { SANDBOX_WORKSPACE } from "./sandbox-paths.ts";
import type { Workspace } from "./types.ts";

/** Beyond this the change is not a fix (and the diff policy's line cap would refuse it anyway). */
export const MAX_SNAPSHOT_PACK_BYTES = 256 * 1024 * 1024;
const SNAPSHOT_TIMEOUT_MS = 5 * 60_000;
const TREE_MARKER = "PW-SNAPSHOT-TREE";
/** Git with nothing of the repository's configuration that could run a program, even in the sandbox. */
const GIT = "git -c safe.directory='*' -c core.fsmonitor=false -c core.hooksPath=/dev/null -c core.untrackedCache=false";

/**
 * Stages every file of the workspace (tracked, new and deleted; .gitignore
 * honoured; `exclude` left out) and returns the tree's sha, present in the
 * host's repository with all its objects.
 * @throws PatchwrightError `internal` when the sandbox's git fails or what it
 *   hands over is not a valid, complete set of objects.
 */
export async function snapshotWorkspace(workspace: Workspace, options: { exclude?: readonly string[]; signal?: AbortSignal } = {}): Promise<string> {
  const packName = `.patchwright-snapshot-${randomBytes(12).toString("hex")}.pack`;
  const result = await workspace.sandbox.run(snapshotScript(packName, options.exclude ?? []), {
    network: false,
    timeoutMs: SNAPSHOT_TIMEOUT_MS,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const packPath = path.join(workspace.dir, packName);
  try {
    const tree = [...result.output.matchAll(new RegExp(`^${TREE_MARKER} ([0-9a-f]{40,64})$`, "gm"))].at(-1)?.[1];
    if (result.exitCode !== 0 || tree === undefined) {
      throw fail(`git in the sandbox could not stage the workspace (exit ${result.exitCode}): ${result.output.slice(-500).trim()}`);
    }
    await importPack(workspace.dir, packPath);
    const complete = await runHostGit(workspace.dir, ["rev-list", "--objects", "--quiet", tree]);
    const type = await runHostGit(workspace.dir, ["cat-file", "-t", tree]);
    if (complete.exitCode !== 0 || type.stdout.trim() !== "tree") throw fail(`the staged tree ${tree} is missing objects`);
    return tree;
  } finally {
    // The name is in the workspace's own (host-created) root: unlinking it follows nothing.
    await unlink(packPath).catch(() => undefined);
  }
}

/** The sandbox's part: stage, write the tree, pack what is new. */
function snapshotScript(packName: string, exclude: readonly string[]): string {
  const pathspecs = [".", ...exclude.map((p) => `:(exclude,top,literal)${p.replace(/\/$/, "")}`)].map(quote).join(" ");
  return [
    "set -eu",
    'd=$(mktemp -d /tmp/patchwright-snapshot.XXXXXX)',
    `export GIT_DIR=${SANDBOX_WORKSPACE}/.git GIT_WORK_TREE=${SANDBOX_WORKSPACE} GIT_INDEX_FILE="$d/index" GIT_OBJECT_DIRECTORY="$d/objects" GIT_ALTERNATE_OBJECT_DIRECTORIES=${SANDBOX_WORKSPACE}/.git/objects`,
    'mkdir "$d/objects"',
    // The checkout's index (its stat cache makes staging fast), with its mtime: git's racy-entry check needs it.
    `cp -p ${SANDBOX_WORKSPACE}/.git/index "$d/index" 2>/dev/null || true`,
    `${GIT} add --all -- ${pathspecs}`,
    `tree=$(${GIT} write-tree)`,
    `printf '%s\\n^%s\\n' "$tree" 'HEAD^{tree}' | ${GIT} pack-objects --revs --stdout --quiet > ${SANDBOX_WORKSPACE}/${packName}`,
    `echo "${TREE_MARKER} $tree"`,
  ].join("\n");
}

/**
 * Reads a pack the sandbox wrote into the host's repository, as data: only a
 * regular file (no link is followed, a FIFO cannot block), bounded, and
 * through `--strict`, git's object checks (a `.git` entry, bad modes, broken
 * trees are refused as they would be in a fetch).
 */
export async function importPack(workspaceDir: string, packPath: string): Promise<void> {
  const handle = await open(packPath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch((error: unknown) => {
    throw fail(`the sandbox left no readable pack (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  });
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw fail("the snapshot pack is not a regular file");
    if (info.size > MAX_SNAPSHOT_PACK_BYTES) throw fail(`the change holds ${info.size} bytes of new objects, over the ${MAX_SNAPSHOT_PACK_BYTES}-byte cap`);
    const indexed = await runHostGit(workspaceDir, ["index-pack", "--strict", "--stdin"], { inputStream: handle.createReadStream({ autoClose: false }) });
    if (indexed.exitCode !== 0) throw fail(`git refused the objects the sandbox staged: ${indexed.stderr.trim()}`);
  } finally {
    await handle.close();
  }
}

function quote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

function fail(message: string): PatchwrightError {
  return new PatchwrightError("internal", redact(`Taking the workspace's changes failed: ${message}.`));
}
