/** Shared set-up for workspace tests: temp dirs, a served fixture repository, host process checks. */
import { chmod, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach } from "vitest";
import { createSandbox } from "../../src/workspace/create-sandbox.ts";
import { discardSpareCheckouts, drainWorkspaceRemovals } from "../../src/workspace/open-workspace.ts";
import type { Workspace } from "../../src/workspace/types.ts";
import { addFixtureCommit, createFixtureRepo } from "../support/fixture-repo.ts";
import { type GitHttpServer, startGitHttpServer } from "../support/git-http-server.ts";

export const TOKEN = "ghs_WorkspaceTestToken0123456789abcdefXYZ";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await settleWorkspaces();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * Deletes this process's spare checkouts and waits for the deletion of
 * disposed workspaces: after it, a test's directories are what they stay.
 */
export async function settleWorkspaces(): Promise<void> {
  await discardSpareCheckouts();
  await drainWorkspaceRemovals();
}

/**
 * A temp directory for a child process the test kills (its TMPDIR), removed
 * after the test: what the child stages there (its sandbox's staging
 * directory) is left behind by the kill. Readable by all, like the system's.
 */
export async function crashTempDir(): Promise<string> {
  const dir = await tempDir("pw-crashed-tmp-");
  await chmod(dir, 0o755);
  return dir;
}

/** A temp directory removed after the test. */
export async function tempDir(prefix = "pw-test-"): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A checkout in `dir` with its sandbox, as `openWorkspace` gives a job (removal is the test's temp dir). */
export async function workspaceAt(dir: string): Promise<Workspace> {
  return { dir, sandbox: await createSandbox({ root: dir }), dispose: async () => {} };
}

export interface Remote {
  server: GitHttpServer;
  bareDir: string;
  cloneUrl: string;
  /** First commit: a.txt "one", c.txt; not the branch tip. */
  firstSha: string;
  /** Tip of main: a.txt "two", b.txt added. */
  tipSha: string;
}

/** `o/r.git` with two commits on main, served over HTTP with token auth. */
export async function startRemote(options: { protocolV2?: boolean } = {}): Promise<Remote> {
  const root = await tempDir("pw-remote-");
  const { bareDir, sha: firstSha } = await createFixtureRepo({
    root,
    owner: "o",
    name: "r",
    files: { "a.txt": "one\n", "c.txt": "see\n", "src/lib.js": "export const x = 1;\n" },
  });
  const tipSha = await addFixtureCommit({ bareDir, files: { "a.txt": "two\n", "b.txt": "bee\n" } });
  const server = await startGitHttpServer({ projectRoot: root, token: TOKEN, ...options });
  cleanups.push(() => server.close());
  return { server, bareDir, cloneUrl: `${server.url}/o/r.git`, firstSha, tipSha };
}

/** Every file under `dir` (including .git) whose bytes contain `needle`. */
export async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if ((await readFile(file)).includes(needle)) hits.push(file);
  }
  return hits;
}

/** Host processes whose command line contains `marker` (zombies have none). */
export async function hostProcessesWith(marker: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const cmdline = await readFile(`/proc/${name}/cmdline`, "utf8").catch(() => "");
    if (cmdline.includes(marker)) pids.push(Number(name));
  }
  return pids;
}

/** Whether a host pid is a live (not zombie) process. */
export async function isAlive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  if (stat === undefined) return false;
  const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  return state !== "Z" && state !== "X";
}
