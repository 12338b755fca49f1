/**
 * Undo for recipes. The host-side git adapter cannot reset the workspace from
 * here, and git inside the sandbox cannot either (its `.git` is read-only), so
 * a checkpoint combines what each side can do:
 *   - git inside the sandbox, reading only, lists what differs from HEAD
 *     (`status`), and writes back files from HEAD (`cat-file --filters`);
 *   - the host keeps, in memory, the content of the files that already differed
 *     before the recipe (an untracked lockfile left by `npm install`, say), read
 *     and written through the path jail.
 * Ignored files (node_modules, caches) are not restored: they are not part of a diff.
 */
import { chmod, lstat, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { PatchwrightError } from "../errors.ts";
import { resolveInJail } from "../security/path-jail.ts";
import type { Sandbox } from "../workspace/types.ts";
import { quoteWord } from "./shell-words.ts";

export interface Checkpoint {
  /**
   * Puts every non-ignored file back as it was when the checkpoint was taken.
   * @throws PatchwrightError `internal` when the workspace could not be put back
   *   (do not build on it: the job should stop).
   */
  restore(): Promise<void>;
}

type Saved = { readonly kind: "file"; readonly content: Buffer; readonly mode: number } | { readonly kind: "absent" };

/** Beyond these, the workspace is not in a state where a recipe makes sense (node_modules not ignored, say). */
const MAX_SAVED_FILES = 500;
const MAX_SAVED_BYTES = 32 * 1024 * 1024;
const GIT_TIMEOUT_MS = 2 * 60_000;
// No optional locks: the index is read-only inside the sandbox.
const STATUS = "git --no-optional-locks status --porcelain=v1 -z --untracked-files=all --no-renames --ignore-submodules=all";
const RESTORE_FROM_HEAD = [
  "from_head() {",
  '  rm -rf -- "$1"; mkdir -p -- "$(dirname -- "$1")"',
  '  mode=$(git --literal-pathspecs ls-tree HEAD -- "$1" | cut -c1-6)',
  '  if [ "$mode" = 120000 ]; then ln -s -- "$(git cat-file blob "HEAD:$1")" "$1"',
  '  else git cat-file --filters "HEAD:$1" > "$1"; if [ "$mode" = 100755 ]; then chmod +x -- "$1"; fi; fi',
  "}",
].join("\n");

/**
 * Records the workspace's state before a recipe runs.
 * @throws PatchwrightError `internal` when it cannot (not a git checkout, git
 *   missing in the sandbox, a dirty file behind a symbolic link, too much dirt):
 *   the caller should then not run the recipe.
 */
export async function checkpointWorkspace(sandbox: Sandbox, exclude: readonly string[] = []): Promise<Checkpoint> {
  const changedFiles = (s: Sandbox) => changedFilesExcept(s, exclude);
  const before = await changedFiles(sandbox);
  if (before.size > MAX_SAVED_FILES) throw cannot(`${before.size} files already differ from HEAD (more than ${MAX_SAVED_FILES})`);
  const saved = new Map<string, Saved>();
  let bytes = 0;
  for (const file of before.keys()) {
    const entry = await save(sandbox.root, file);
    bytes += entry.kind === "file" ? entry.content.length : 0;
    if (bytes > MAX_SAVED_BYTES) throw cannot(`the files that already differ from HEAD hold more than ${MAX_SAVED_BYTES} bytes`);
    saved.set(file, entry);
  }

  return {
    async restore() {
      const after = await changedFiles(sandbox);
      const added = [...after].filter(([file, code]) => !before.has(file) && code === "??").map(([file]) => file);
      const changed = [...after].filter(([file, code]) => !before.has(file) && code !== "??").map(([file]) => file);
      if (added.length + changed.length > 0) {
        const script = [
          "set -e",
          RESTORE_FROM_HEAD,
          ...(added.length > 0 ? [`rm -f -- ${added.map(quoteWord).join(" ")}`] : []),
          ...changed.map((file) => `from_head ${quoteWord(file)}`),
        ].join("\n");
        const result = await sandbox.run(script, { timeoutMs: GIT_TIMEOUT_MS });
        if (result.exitCode !== 0) throw notRestored(`writing files back from HEAD failed (exit ${result.exitCode}): ${result.output.slice(-500)}`);
      }
      for (const [file, entry] of saved) await put(sandbox.root, file, entry);
      const now = await changedFiles(sandbox);
      const same = now.size === before.size && [...now].every(([file, code]) => before.get(file) === code);
      if (!same) throw notRestored(`these files still differ from before: ${differences(before, now).join(", ")}`);
    },
  };
}

/** Path → two-letter status (`??` untracked, ` M` modified, ` D` deleted, ...), for every file that differs from HEAD. */
async function changedFilesExcept(sandbox: Sandbox, exclude: readonly string[]): Promise<Map<string, string>> {
  // Setup's artifacts (an unignored node_modules/, a generated lockfile) are not the recipe's business.
  const pathspecs = ["--", ".", ...exclude.map((p) => quoteWord(`:(exclude,top,literal)${p.replace(/\/$/, "")}`))].join(" ");
  const result = await sandbox.run(`${STATUS} ${pathspecs} 2>/dev/null`, { timeoutMs: GIT_TIMEOUT_MS });
  if (result.exitCode !== 0 || result.truncated) throw cannot(`\`git status\` failed in the sandbox (exit ${result.exitCode}); recipes need a git checkout`);
  const files = new Map<string, string>();
  for (const entry of result.output.split("\0")) {
    if (entry.length > 3) files.set(entry.slice(3), entry.slice(0, 2));
  }
  return files;
}

async function save(root: string, file: string): Promise<Saved> {
  const absolute = await jailed(root, file, cannot);
  const info = await lstat(absolute).catch(() => undefined);
  if (info === undefined) return { kind: "absent" };
  if (!info.isFile()) throw cannot(`${file} differs from HEAD and is not a regular file`);
  return { kind: "file", content: await readFile(absolute), mode: info.mode & 0o777 };
}

async function put(root: string, file: string, entry: Saved): Promise<void> {
  const absolute = await jailed(root, file, notRestored);
  await rm(absolute, { recursive: true, force: true });
  if (entry.kind === "absent") return;
  await mkdir(path.dirname(absolute), { recursive: true });
  await writeFile(absolute, entry.content, { mode: entry.mode });
  await chmod(absolute, entry.mode);
}

/** The host path of `file`, refusing any symbolic link on the way (the sandbox could have planted one). */
async function jailed(root: string, file: string, fail: (reason: string) => PatchwrightError): Promise<string> {
  const resolved = await resolveInJail(root, file);
  if (!resolved.ok) throw fail(`${file}: ${resolved.reason}`);
  if (resolved.realRelative !== resolved.relative) throw fail(`${file} goes through a symbolic link`);
  return resolved.absolute;
}

function differences(before: Map<string, string>, now: Map<string, string>): string[] {
  const files = new Set([...before.keys(), ...now.keys()]);
  return [...files].filter((f) => before.get(f) !== now.get(f)).slice(0, 10);
}

function cannot(reason: string): PatchwrightError {
  return new PatchwrightError("internal", `Cannot checkpoint the workspace before a recipe: ${reason}.`);
}

function notRestored(reason: string): PatchwrightError {
  return new PatchwrightError(
    "internal",
    `A recipe failed and the workspace could not be put back as it was: ${reason}. The job stops rather than build on it; retry it with \`/agent fix\`.`,
  );
}
