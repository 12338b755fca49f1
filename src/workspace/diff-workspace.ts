/**
 * What the workspace changed since the base commit: the patch for the PR and
 * the per-file summary the policy check needs (protected paths, deletions,
 * diff size). New untracked files are included.
 */
import { copyFile, mkdtemp, rm, stat, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PatchwrightError } from "../errors.ts";
import { redact } from "../security/redact.ts";
import { pathspec } from "./commit-all.ts";
import { type GitResult, runGit } from "./run-git.ts";
import type { FileChange, FileChangeStatus, WorkspaceDiff } from "./types.ts";


const STATUS: Readonly<Record<string, FileChangeStatus>> = { A: "added", M: "modified", D: "deleted", T: "type_changed" };

/**
 * Diffs the working tree (tracked and untracked, .gitignore honoured) against `baseSha`.
 * Uses a throwaway copy of the index, so the workspace's own index is untouched.
 * @throws PatchwrightError `internal` when git fails (for example an unknown `baseSha`).
 */
export async function diffWorkspace(options: { dir: string; baseSha: string; exclude?: readonly string[] }): Promise<WorkspaceDiff> {
  const { dir, baseSha } = options;
  if (!/^[0-9a-f]{4,64}$/.test(baseSha)) {
    throw new PatchwrightError("internal", `Cannot diff against "${baseSha}": expected a commit sha.`);
  }
  const scratch = await mkdtemp(path.join(tmpdir(), "patchwright-index-"));
  try {
    const indexPath = path.join(scratch, "index");
    const realIndex = await runGit(["rev-parse", "--path-format=absolute", "--git-path", "index"], { cwd: dir });
    if (realIndex.exitCode !== 0) fail("git rev-parse", realIndex);
    // Starting from the real index reuses its stat cache; a fresh clone may have none.
    // The copy keeps the original's mtime: git's "racy entry" check compares file
    // mtimes with the index's, and a newer index would hide a same-size edit made
    // in the same second as the checkout.
    const original = realIndex.stdout.trim();
    await copyFile(original, indexPath)
      .then(async () => {
        const { atime, mtime } = await stat(original);
        await utimes(indexPath, atime, mtime);
      })
      .catch(() => undefined);
    const env = { GIT_INDEX_FILE: indexPath };
    const add = await runGit(["add", "--all", "--", ...pathspec(options.exclude)], { cwd: dir, env });
    if (add.exitCode !== 0) fail("git add", add);

    // No renames (policy sees both paths), no external diff or textconv (config-driven commands).
    const diff = (...format: string[]): Promise<GitResult> =>
      runGit(["diff", "--cached", "--no-renames", "--no-ext-diff", "--no-textconv", "--no-color", ...format, baseSha, "--"], {
        cwd: dir,
        env,
      });
    const [patch, numstat, nameStatus] = await Promise.all([diff(), diff("--numstat", "-z"), diff("--name-status", "-z")]);
    for (const result of [patch, numstat, nameStatus]) if (result.exitCode !== 0) fail("git diff", result);

    const files = mergeStats(parseNameStatus(nameStatus.stdout), parseNumstat(numstat.stdout));
    return {
      patch: patch.stdout,
      files,
      insertions: files.reduce((sum, f) => sum + f.insertions, 0),
      deletions: files.reduce((sum, f) => sum + f.deletions, 0),
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** `--name-status -z`: `X\0path\0` pairs. */
function parseNameStatus(text: string): Map<string, FileChangeStatus> {
  const out = new Map<string, FileChangeStatus>();
  const parts = text.split("\0");
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const code = parts[i] ?? "";
    const file = parts[i + 1] ?? "";
    if (file !== "") out.set(file, STATUS[code.charAt(0)] ?? "modified");
  }
  return out;
}

/** `--numstat -z`: `added\tdeleted\tpath\0`, with `-` counts for binary files. */
function parseNumstat(text: string): Map<string, { insertions: number; deletions: number; binary: boolean }> {
  const out = new Map<string, { insertions: number; deletions: number; binary: boolean }>();
  for (const record of text.split("\0")) {
    const match = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(record);
    if (!match) continue;
    const [, added = "-", deleted = "-", file = ""] = match;
    const binary = added === "-" && deleted === "-";
    out.set(file, { insertions: binary ? 0 : Number(added), deletions: binary ? 0 : Number(deleted), binary });
  }
  return out;
}

function mergeStats(
  statuses: Map<string, FileChangeStatus>,
  stats: Map<string, { insertions: number; deletions: number; binary: boolean }>,
): FileChange[] {
  return [...statuses.entries()]
    .map(([file, status]) => ({ path: file, status, ...(stats.get(file) ?? { insertions: 0, deletions: 0, binary: false }) }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function fail(step: string, result: GitResult): never {
  throw new PatchwrightError(
    "internal",
    redact(`Diffing the workspace failed (${step}): ${result.stderr.trim() || `exit code ${result.exitCode}`}.`),
  );
}
