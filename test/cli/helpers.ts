import { execa } from "execa";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { git } from "../support/fixture-repo.ts";

export const BIN = fileURLToPath(new URL("../../bin/patchwright", import.meta.url));

/** A user's repository: a working tree with one commit of `files` on `main`. */
export async function createWorkingRepo(parent: string, name: string, files: Readonly<Record<string, string>>): Promise<{ dir: string; sha: string }> {
  const dir = path.join(parent, name);
  await git(["init", "--quiet", "--initial-branch=main", dir]);
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
  await git(["add", "--all"], dir);
  await git(["commit", "--quiet", "-m", "Initial commit"], dir, { GIT_AUTHOR_DATE: "2024-01-01T00:00:00Z", GIT_COMMITTER_DATE: "2024-01-01T00:00:00Z" });
  return { dir, sha: await git(["rev-parse", "HEAD"], dir) };
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs bin/patchwright as a process (asynchronously: the scripted model answers from this one). */
export async function runPatchwright(args: readonly string[], options: { cwd: string; env: Record<string, string>; input?: string }): Promise<CliRun> {
  const result = await execa(BIN, [...args], {
    cwd: options.cwd,
    env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", ...options.env },
    extendEnv: false,
    reject: false,
    ...(options.input !== undefined ? { input: options.input } : { stdin: "ignore" as const }),
    timeout: 180_000,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}
