/** Fixture checkouts for recipe tests: a git working tree (like a job's workspace) and its sandbox. */
import { chmod, cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createSandbox } from "../../src/workspace/create-sandbox.ts";
import type { CommandResult, Sandbox } from "../../src/workspace/types.ts";
import { git } from "../support/fixture-repo.ts";

const roots: string[] = [];

/** Removes every checkout made so far (call from afterAll). */
export async function removeCheckouts(): Promise<void> {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
}

/** A temp directory holding `files` (`executable` ones mode 755), committed as one commit on `main`, with a sandbox on it. */
export async function checkout(files: Readonly<Record<string, string>>, executable: readonly string[] = []): Promise<{ dir: string; sandbox: Sandbox }> {
  const dir = await mkdtemp(path.join(tmpdir(), "pw-recipe-"));
  roots.push(dir);
  await writeFiles(dir, files);
  for (const file of executable) await chmod(path.join(dir, file), 0o755);
  await git(["init", "--quiet", "--initial-branch=main"], dir);
  await git(["add", "--all"], dir);
  await git(["commit", "--quiet", "-m", "Initial commit"], dir);
  return { dir, sandbox: await createSandbox({ root: dir }) };
}

export async function writeFiles(dir: string, files: Readonly<Record<string, string>>): Promise<void> {
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
}

/** Copies installed dependencies from one checkout to another (one registry download per suite). */
export async function copyInstall(from: string, to: string): Promise<void> {
  await cp(path.join(from, "node_modules"), path.join(to, "node_modules"), { recursive: true, verbatimSymlinks: true });
  await cp(path.join(from, "package-lock.json"), path.join(to, "package-lock.json"));
}

/** `git status --porcelain` lines as the host sees them, sorted. */
export async function status(dir: string): Promise<string[]> {
  // `--branch` puts a header first, so trimming the output keeps the first entry's leading space.
  const lines = (await git(["status", "--porcelain", "--branch", "--untracked-files=all"], dir)).split("\n").slice(1);
  return lines.sort();
}

/** Fails with the command's output, so a registry problem reads as one. */
export function expectExit(result: CommandResult, code: number, hint = ""): CommandResult {
  if (result.exitCode !== code) throw new Error(`\`${result.command}\` exited ${result.exitCode}, expected ${code}.${hint}\n${result.output}`);
  return result;
}

/** A sandbox that records the commands run through it. */
export function recording(sandbox: Sandbox): { sandbox: Sandbox; commands: string[] } {
  const commands: string[] = [];
  return {
    commands,
    sandbox: { root: sandbox.root, run: (command, options) => (commands.push(command), sandbox.run(command, options)) },
  };
}
