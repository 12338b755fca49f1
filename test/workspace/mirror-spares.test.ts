/**
 * Spare checkouts and background disposal (`mirror-spares.ts`,
 * `removeInBackground`): a job that starts from a spare made of another
 * job's commit (an embargoed fix) gets exactly its own commit, files and
 * objects; disposed directories are really gone once drained; a crashed or
 * exiting worker leaves no spare behind. Real git, real bubblewrap.
 */
import { execa } from "execa";
import { existsSync } from "node:fs";
import { lstat, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { repoCachePaths } from "../../src/workspace/mirror-cache-paths.ts";
import {
  drainSpareCheckouts,
  drainWorkspaceRemovals,
  openWorkspace,
  type OpenWorkspaceOptions,
} from "../../src/workspace/open-workspace.ts";
import { runGit } from "../../src/workspace/run-git.ts";
import type { Workspace } from "../../src/workspace/types.ts";
import { addFixtureCommit, git as fixtureGit } from "../support/fixture-repo.ts";
import { filesContaining, type Remote, settleWorkspaces, startRemote, crashTempDir, tempDir, TOKEN } from "./helpers.ts";

const INSTALLATION = 5151;
const SECRET = "EMBARGOED-spare-7e57-do-not-disclose";
/** What these tests turn on (both off by default). */
const WARM = { spare: true, backgroundRemoval: true } as const;
const OPEN_WORKSPACE = fileURLToPath(new URL("../../src/workspace/open-workspace.ts", import.meta.url));

interface Setup {
  remote: Remote;
  cacheRoot: string;
  parentDir: string;
  embargoedSha: string;
  open(sha: string, extra?: Partial<OpenWorkspaceOptions>): Promise<Workspace>;
}

/** The served repository plus an embargoed branch: a secret file in a directory of its own, a file changed, one deleted. */
async function setUp(): Promise<Setup> {
  const remote = await startRemote();
  await fixtureGit(["branch", "embargoed", "main"], remote.bareDir);
  const embargoedSha = await addFixtureCommit({
    bareDir: remote.bareDir,
    branch: "embargoed",
    files: { "embargo/fix.txt": `${SECRET}\n`, "src/lib.js": `export const x = "${SECRET}";\n`, "c.txt": null },
    message: `EMBARGOED fix (${SECRET})`,
  });
  const cacheRoot = await tempDir("pw-spare-cache-");
  const parentDir = await tempDir("pw-spare-jobs-");
  const open = (sha: string, extra: Partial<OpenWorkspaceOptions> = {}): Promise<Workspace> =>
    openWorkspace({ cloneUrl: remote.cloneUrl, sha, token: TOKEN, cacheRoot, installationId: INSTALLATION, parentDir, ...WARM, ...extra });
  return { remote, cacheRoot, parentDir, embargoedSha, open };
}

/** Every path under `dir` outside `.git` (directories with a trailing slash), with file modes and contents. */
async function treeOf(dir: string): Promise<string[]> {
  const entries: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const full = path.join(entry.parentPath, entry.name);
    const relative = path.relative(dir, full);
    if (relative === ".git" || relative.startsWith(`.git${path.sep}`)) continue;
    if (entry.isDirectory()) entries.push(`${relative}/`);
    else entries.push(`${relative} ${((await lstat(full)).mode & 0o777).toString(8)} ${JSON.stringify(await readFile(full, "utf8"))}`);
  }
  return entries.sort();
}

async function objectsOf(dir: string): Promise<string[]> {
  const result = await runGit(["cat-file", "--batch-all-objects", "--batch-check=%(objectname)"], { cwd: dir });
  return result.stdout.split("\n").filter(Boolean).sort();
}

describe("spare checkouts", () => {
  it("are off by default: no spare is made, dispose deletes before it returns", async () => {
    const { remote, parentDir } = await setUp();
    const options = { cloneUrl: remote.cloneUrl, sha: remote.tipSha, token: TOKEN, installationId: INSTALLATION, parentDir };
    const workspace = await openWorkspace({ ...options, cacheRoot: await tempDir("pw-spare-cache-") });
    await workspace.dispose();
    await drainSpareCheckouts();
    expect(await readdir(parentDir)).toEqual([]);
  });

  it("a job that starts from a spare of an embargoed commit gets its own commit exactly, and nothing of the other", async () => {
    const { remote, parentDir, embargoedSha, open } = await setUp();

    // Job A works on the embargoed fix; once it is done, a spare of its commit waits for the next job.
    const a = await open(embargoedSha);
    await a.dispose();
    await drainSpareCheckouts();
    await drainWorkspaceRemovals();
    const [spare] = await readdir(parentDir);
    expect(await readdir(parentDir)).toHaveLength(1);
    const spareDir = path.join(parentDir, spare ?? "", "workspace");
    // The control: the spare really holds the secret, or this test would prove nothing.
    expect(await readFile(path.join(spareDir, "embargo", "fix.txt"), "utf8")).toBe(`${SECRET}\n`);
    const keptInode = (await lstat(path.join(spareDir, "a.txt"))).ino;

    // Job B, on main, takes it.
    const b = await open(remote.tipSha);
    expect(path.basename(path.dirname(b.dir))).toBe(spare);
    expect((await lstat(path.join(b.dir, "a.txt"))).ino).toBe(keptInode); // unchanged between the commits: not rewritten

    // The working tree is exactly a fresh checkout's: same paths, modes and contents; no directory of A's.
    const fresh = await open(remote.tipSha, { spare: false });
    expect(await treeOf(b.dir)).toEqual(await treeOf(fresh.dir));
    expect(await treeOf(b.dir)).not.toContain("embargo/");
    expect((await runGit(["status", "--porcelain", "--ignored", "--untracked-files=all"], { cwd: b.dir })).stdout).toBe("");
    expect((await runGit(["rev-parse", "HEAD"], { cwd: b.dir })).stdout.trim()).toBe(remote.tipSha);

    // Its repository: the objects its commit reaches, nothing of A's; the secret nowhere, .git included.
    const reachable = (await runGit(["rev-list", "--objects", "HEAD"], { cwd: b.dir })).stdout.split("\n").filter(Boolean).map((line) => line.slice(0, 40));
    expect(await objectsOf(b.dir)).toEqual([...new Set(reachable)].sort());
    expect(await objectsOf(b.dir)).toEqual(await objectsOf(fresh.dir));
    expect((await runGit(["cat-file", "-e", embargoedSha], { cwd: b.dir })).exitCode).not.toBe(0);
    expect(await filesContaining(b.dir, SECRET)).toEqual([]);

    // And what B's sandboxed code can find.
    const seen = await b.sandbox.run(
      `git cat-file -t ${embargoedSha} 2>&1; git cat-file --batch-all-objects --batch 2>&1 | grep -a -c EMBARGOED; ` +
        'grep -r -a -l EMBARGOED /workspace /tmp 2>/dev/null; ls embargo 2>&1; echo done',
    );
    expect(seen.output).toMatch(/^fatal: .*\n0\nls: cannot access 'embargo': No such file or directory\ndone\n$/);
    await Promise.all([b.dispose(), fresh.dispose()]);
  });

  it("serves a second job on the same commit from the spare with nothing to write", async () => {
    const { remote, open } = await setUp();
    const first = await open(remote.tipSha);
    await first.dispose();
    await drainSpareCheckouts();
    const second = await open(remote.tipSha);
    expect(second.cache?.fetched).toBe("none");
    expect((await runGit(["status", "--porcelain"], { cwd: second.dir })).stdout).toBe("");
    expect(await readFile(path.join(second.dir, "a.txt"), "utf8")).toBe("two\n");
    expect((await second.sandbox.run("git diff --stat HEAD; cat b.txt")).output).toBe("bee\n");
    await second.dispose();
  });
});

describe("disposal in the background", () => {
  it("dispose returns at once; a drain waits until the directory and its owner record are gone", async () => {
    const { remote, cacheRoot, parentDir, open } = await setUp();
    const paths = repoCachePaths({ cacheRoot, installationId: INSTALLATION, cloneUrl: remote.cloneUrl });
    const workspace = await open(remote.tipSha, { spare: false });
    expect(await readdir(paths.jobsDir)).toHaveLength(1);
    await workspace.dispose();
    expect(existsSync(workspace.dir)).toBe(false); // out of its path at once
    await workspace.dispose();
    await drainWorkspaceRemovals();
    expect(await readdir(parentDir)).toEqual([]);
    expect(await readdir(paths.jobsDir)).toEqual([]);
  });

  it("a crashed worker's job directory and spare are both pruned by the next open", async () => {
    const { remote, cacheRoot, parentDir, open } = await setUp();
    const paths = repoCachePaths({ cacheRoot, installationId: INSTALLATION, cloneUrl: remote.cloneUrl });
    const script = [
      `import { drainSpareCheckouts, openWorkspace } from ${JSON.stringify(OPEN_WORKSPACE)};`,
      "await openWorkspace(JSON.parse(process.env.OPTIONS));",
      "await drainSpareCheckouts();",
      'process.kill(process.pid, "SIGKILL");',
    ].join("\n");
    const options = { cloneUrl: remote.cloneUrl, sha: remote.tipSha, token: TOKEN, cacheRoot, installationId: INSTALLATION, parentDir, ...WARM };
    // Its own temp dir: a killed process leaves its sandbox's staging directory behind.
    const env = { OPTIONS: JSON.stringify(options), TMPDIR: await crashTempDir() };
    const crashed = await execa(process.execPath, ["--input-type=module", "-e", script], { env, reject: false });
    expect(crashed.signal).toBe("SIGKILL");
    expect(await readdir(parentDir)).toHaveLength(2); // its job and its spare
    expect(await readdir(paths.jobsDir)).toHaveLength(2);

    const next = await open(remote.firstSha, { spare: false });
    expect(await readdir(parentDir)).toEqual([path.basename(path.dirname(next.dir))]);
    await next.dispose();
    await drainWorkspaceRemovals();
    expect(await readdir(parentDir)).toEqual([]);
    expect(await readdir(paths.jobsDir)).toEqual([]);
  });

  it("a worker that exits deletes its spares", async () => {
    const { remote, cacheRoot, parentDir } = await setUp();
    const paths = repoCachePaths({ cacheRoot, installationId: INSTALLATION, cloneUrl: remote.cloneUrl });
    const script = [
      `import { drainSpareCheckouts, drainWorkspaceRemovals, openWorkspace } from ${JSON.stringify(OPEN_WORKSPACE)};`,
      "const workspace = await openWorkspace(JSON.parse(process.env.OPTIONS));",
      "await workspace.dispose();",
      "await drainSpareCheckouts();",
      "await drainWorkspaceRemovals();",
      "const { readdirSync } = await import('node:fs');",
      "process.stdout.write(String(readdirSync(process.env.PARENT).length));",
    ].join("\n");
    const options = { cloneUrl: remote.cloneUrl, sha: remote.tipSha, token: TOKEN, cacheRoot, installationId: INSTALLATION, parentDir, ...WARM };
    const exited = await execa(process.execPath, ["--input-type=module", "-e", script], { env: { OPTIONS: JSON.stringify(options), PARENT: parentDir } });
    expect(exited.stdout).toBe("1"); // the spare, while it ran
    expect(await readdir(parentDir)).toEqual([]);
    expect(await readdir(paths.jobsDir)).toEqual([]);
    await settleWorkspaces();
  });
});
