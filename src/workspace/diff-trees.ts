/**
 * What a tree changes against a commit, from git's raw view in the host's
 * repository: every path with its status, modes (executable bits, symbolic
 * links, submodules) and line counts, and the patch. Taken with no working
 * tree, no renames (the policy sees both paths), no external diff, no textconv.
 */
import { PatchwrightError } from "../errors.ts";
import { redact } from "../security/redact.ts";
import { runHostGit } from "./host-repository.ts";
import type { GitResult } from "./run-git.ts";
import type { FileChange, FileChangeStatus, WorkspaceDiff } from "./types.ts";

const STATUS: Readonly<Record<string, FileChangeStatus>> = { A: "added", M: "modified", D: "deleted", T: "type_changed" };

export async function diffTrees(workspaceDir: string, baseSha: string, tree: string): Promise<WorkspaceDiff> {
  for (const sha of [baseSha, tree]) {
    if (!/^[0-9a-f]{4,64}$/.test(sha)) throw new PatchwrightError("internal", `Cannot diff "${sha}": expected an object sha.`);
  }
  const diff = (...format: string[]): Promise<GitResult> =>
    runHostGit(workspaceDir, ["diff-tree", "-r", "--no-renames", "--no-ext-diff", "--no-textconv", "--no-color", "--ignore-submodules=none", ...format, baseSha, tree, "--"]);
  const [patch, numstat, raw] = await Promise.all([diff("-p"), diff("--numstat", "-z"), diff("--raw", "-z")]);
  for (const result of [patch, numstat, raw]) {
    if (result.exitCode !== 0) throw new PatchwrightError("internal", redact(`Diffing the workspace failed: ${result.stderr.trim() || `exit code ${result.exitCode}`}.`));
  }
  const stats = parseNumstat(numstat.stdout);
  const files = parseRaw(raw.stdout)
    .map(({ path, status, oldMode, newMode }) => ({ path, status, oldMode, newMode, ...(stats.get(path) ?? { insertions: 0, deletions: 0, binary: false }) }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    patch: patch.stdout,
    files,
    insertions: files.reduce((sum, f) => sum + f.insertions, 0),
    deletions: files.reduce((sum, f) => sum + f.deletions, 0),
    tree,
  };
}

/** `--raw -z`: `:oldmode newmode oldsha newsha X\0path\0` records. */
function parseRaw(text: string): Pick<FileChange, "path" | "status" | "oldMode" | "newMode">[] {
  const out: Pick<FileChange, "path" | "status" | "oldMode" | "newMode">[] = [];
  const parts = text.split("\0");
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const match = /^:(\d{6}) (\d{6}) [0-9a-f]+ [0-9a-f]+ ([A-Z])/.exec(parts[i] ?? "");
    const file = parts[i + 1] ?? "";
    if (match && file !== "") out.push({ path: file, oldMode: match[1]!, newMode: match[2]!, status: STATUS[match[3]!] ?? "modified" });
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
