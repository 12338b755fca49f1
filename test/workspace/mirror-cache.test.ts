import { execa } from "execa";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { commitAll } from "../../src/workspace/commit-all.ts";
import { diffWorkspace } from "../../src/workspace/diff-workspace.ts";
import { basicAuthHeader } from "../../src/workspace/git-auth-env.ts";
import { repoCachePaths } from "../../src/workspace/mirror-cache-paths.ts";
import { SANDBOX_NPM_CACHE } from "../../src/workspace/mirror-npm-cache.ts";
import { drainWorkspaceRemovals, openWorkspace, type OpenWorkspaceOptions } from "../../src/workspace/open-workspace.ts";
import type { Workspace } from "../../src/workspace/types.ts";
import { pushBranch } from "../../src/workspace/push-branch.ts";
import { runGit } from "../../src/workspace/run-git.ts";
import { addFixtureCommit, createFixtureRepo, readBranchSha } from "../support/fixture-repo.ts";
import { createGitHttpHandler, type GitHttpRequest } from "../support/git-http-server.ts";
import { filesContaining, settleWorkspaces, crashTempDir, tempDir, TOKEN } from "./helpers.ts";

const INSTALLATION = 4242;
const OPEN_WORKSPACE = fileURLToPath(new URL("../../src/workspace/open-workspace.ts", import.meta.url));

/** A served request and how many body bytes the server sent back. */
interface CountedRequest extends GitHttpRequest {
  bytes: number;
}

interface CountingRemote {
  url: string;
  root: string;
  requests: CountedRequest[];
}

const servers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of servers.splice(0)) await close();
});

/** The test git server with the size of every response recorded, to tell a small fetch from a full download. */
async function startCountingRemote(options: { protocolV2?: boolean } = {}): Promise<CountingRemote> {
  const root = await tempDir("pw-mirror-remote-");
  const requests: CountedRequest[] = [];
  const log: GitHttpRequest[] = [];
  const handler = createGitHttpHandler({ projectRoot: root, token: TOKEN, requests: log, ...options });
  const server = createServer((req, res) => {
    const entry: CountedRequest = { method: "", path: "", query: "", auth: "missing", authorized: false, bytes: 0 };
    requests.push(entry);
    const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk === "string" || Buffer.isBuffer(chunk)) entry.bytes += Buffer.byteLength(chunk);
      return write(chunk, ...rest);
    }) as typeof res.write;
    handler(req, res);
    Object.assign(entry, log.at(-1));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, root, requests };
}

interface Repo {
  cloneUrl: string;
  bareDir: string;
  firstSha: string;
  tipSha: string;
}

/** `owner/name` with a first commit and `extra` more on main, each adding a 4 KiB file. */
async function createRepo(remote: CountingRemote, owner: string, name: string, extra = 8): Promise<Repo> {
  const { bareDir, sha: firstSha } = await createFixtureRepo({
    root: remote.root,
    owner,
    name,
    files: { "a.txt": "one\n", "src/lib.js": "export const x = 1;\n" },
  });
  let tipSha = firstSha;
  for (let i = 0; i < extra; i += 1) {
    tipSha = await addFixtureCommit({ bareDir, files: { "a.txt": `v${i + 2}\n`, [`data/${i}.txt`]: noise(i, 4096) } });
  }
  return { cloneUrl: `${remote.url}/${owner}/${name}.git`, bareDir, firstSha, tipSha };
}

/** Deterministic, incompressible-ish text. */
function noise(seed: number, length: number): string {
  let x = seed * 2654435761 + 1;
  let out = "";
  while (out.length < length) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    out += x.toString(36);
  }
  return `${out.slice(0, length)}\n`;
}

/** Where the job directories of a cache root's jobs go (one temp dir per cache root, outside it). */
const jobRoots = new Map<string, Promise<string>>();
function jobsRootOf(cacheRoot: string): Promise<string> {
  let root = jobRoots.get(cacheRoot);
  if (root === undefined) {
    root = tempDir("pw-jobs-");
    jobRoots.set(cacheRoot, root);
  }
  return root;
}

/** The job directories (`pw-<id>`) under the cache root's jobs root. */
async function jobDirs(cacheRoot: string): Promise<string[]> {
  return readdir(await jobsRootOf(cacheRoot));
}

/** A workspace's job directory name: the checkout is its `workspace/`. */
const jobDirOf = (workspace: Workspace): string => path.basename(path.dirname(workspace.dir));

async function open(repo: Repo, cacheRoot: string, extra: Partial<OpenWorkspaceOptions> = {}): Promise<Workspace> {
  const parentDir = await jobsRootOf(cacheRoot);
  return openWorkspace({ cloneUrl: repo.cloneUrl, sha: repo.tipSha, token: TOKEN, cacheRoot, installationId: INSTALLATION, parentDir, ...extra });
}

async function git(args: string[], cwd: string): Promise<string> {
  const result = await runGit(args, { cwd });
  if (result.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
  return result.stdout.trim();
}

const bytesOf = (requests: readonly CountedRequest[]): number => requests.reduce((sum, r) => sum + r.bytes, 0);

describe("openWorkspace with a repository cache", () => {
  it("downloads the history once: a second job fetches nothing, a new commit is a small fetch", async () => {
    const remote = await startCountingRemote();
    const repo = await createRepo(remote, "o", "r");
    const cacheRoot = await tempDir("pw-cache-");

    const first = await open(repo, cacheRoot);
    expect(first.cache?.fetched).toBe("sha");
    const firstBytes = bytesOf(remote.requests);
    expect(firstBytes).toBeGreaterThan(8 * 2048); // the history: eight 4 KiB files, compressed
    await first.dispose();

    remote.requests.length = 0;
    const second = await open(repo, cacheRoot, { sha: repo.firstSha });
    expect(second.cache?.fetched).toBe("none");
    expect(remote.requests).toEqual([]);
    expect(await readFile(path.join(second.dir, "a.txt"), "utf8")).toBe("one\n");
    await second.dispose();

    const newSha = await addFixtureCommit({ bareDir: repo.bareDir, files: { "a.txt": "new\n" } });
    const third = await open(repo, cacheRoot, { sha: newSha });
    expect(third.cache?.fetched).toBe("sha");
    expect(remote.requests.length).toBeGreaterThan(0);
    expect(remote.requests.length).toBeLessThanOrEqual(3);
    expect(bytesOf(remote.requests)).toBeLessThan(firstBytes / 4);
    expect(await git(["rev-parse", "HEAD"], third.dir)).toBe(newSha);
    expect(await readFile(path.join(third.dir, "a.txt"), "utf8")).toBe("new\n");
    await third.dispose();
  });

  it("gives each job its own checkout; job commits never reach the mirror or another job", async () => {
    const remote = await startCountingRemote();
    const repo = await createRepo(remote, "o", "r", 1);
    const cacheRoot = await tempDir("pw-cache-");
    const [a, b] = await Promise.all([open(repo, cacheRoot), open(repo, cacheRoot)]);
    expect(a.dir).not.toBe(b.dir);

    const wrote = await a.sandbox.run("echo from-a > only-a.txt && echo changed >> a.txt && git rev-parse HEAD");
    expect(wrote.output).toBe(`${repo.tipSha}\n`); // git works inside: the .git is self-contained
    expect(existsSync(path.join(a.dir, "only-a.txt"))).toBe(true);
    expect(existsSync(path.join(b.dir, "only-a.txt"))).toBe(false);
    expect(await readFile(path.join(b.dir, "a.txt"), "utf8")).toBe("v2\n");

    const diff = await diffWorkspace({ workspace: a, baseSha: repo.tipSha });
    expect(diff.files.map((f) => f.path)).toEqual(["a.txt", "only-a.txt"]);
    const commit = await commitAll({ workspace: a, message: "fix", author: { name: "bot", email: "bot@example.com" } });
    const mirrorDir = a.cache?.paths.mirrorDir ?? "";
    expect((await runGit(["cat-file", "-e", commit], { cwd: mirrorDir })).exitCode).not.toBe(0);
    expect((await runGit(["cat-file", "-e", commit], { cwd: b.dir })).exitCode).not.toBe(0);
    expect((await diffWorkspace({ workspace: b, baseSha: repo.tipSha })).files).toEqual([]);

    // The sandbox sees its checkout only: not the mirror, not the other job.
    const peek = await a.sandbox.run(`ls ${mirrorDir} ${b.dir} 2>&1; echo exit=$?`);
    expect(peek.output).toMatch(/No such file or directory[\s\S]*exit=2/);

    await pushBranch({ dir: a.dir, cloneUrl: repo.cloneUrl, branch: "patchwright/fix-ci-1", token: TOKEN });
    expect(await readBranchSha(repo.bareDir, "patchwright/fix-ci-1")).toBe(commit);
    expect(await readBranchSha(repo.bareDir, "main")).toBe(repo.tipSha);
    await Promise.all([a.dispose(), b.dispose()]);
  });

  it("removes checkouts on dispose, and those of a crashed worker on the next open", async () => {
    const remote = await startCountingRemote();
    const repo = await createRepo(remote, "o", "r", 1);
    const cacheRoot = await tempDir("pw-cache-");
    const paths = repoCachePaths({ cacheRoot, installationId: INSTALLATION, cloneUrl: repo.cloneUrl });

    // Spare checkouts are tested in mirror-spares.test.ts: here, job directories only.
    const workspace = await open(repo, cacheRoot, { spare: false });
    expect(await jobDirs(cacheRoot)).toEqual([jobDirOf(workspace)]);
    expect(jobDirOf(workspace)).toMatch(/^pw-[0-9a-f]{16}$/);
    expect((await readdir(path.dirname(workspace.dir))).sort()).toEqual(["npm", "npm-shared", "workspace"]);
    expect(await readdir(paths.jobsDir)).toHaveLength(1);
    await workspace.dispose();
    await workspace.dispose();
    await drainWorkspaceRemovals();
    expect(existsSync(workspace.dir)).toBe(false);
    expect(await jobDirs(cacheRoot)).toEqual([]);
    expect(await readdir(paths.jobsDir)).toEqual([]);

    // A worker that opens a workspace and dies without disposing it.
    const script = [
      `import { openWorkspace } from ${JSON.stringify(OPEN_WORKSPACE)};`,
      "const ws = await openWorkspace(JSON.parse(process.env.OPTIONS));",
      "process.stdout.write(ws.dir);",
      'process.kill(process.pid, "SIGKILL");',
    ].join("\n");
    const parentDir = await jobsRootOf(cacheRoot);
    const options = { cloneUrl: repo.cloneUrl, sha: repo.firstSha, token: TOKEN, cacheRoot, installationId: INSTALLATION, parentDir, spare: false };
    const crashed = await execa(process.execPath, ["--input-type=module", "-e", script], {
      // Its own temp dir: a killed process leaves its sandbox's staging directory behind.
      env: { OPTIONS: JSON.stringify(options), TMPDIR: await crashTempDir() },
      reject: false,
    });
    expect(crashed.signal).toBe("SIGKILL");
    const orphan = crashed.stdout;
    expect(await readFile(path.join(orphan, "a.txt"), "utf8")).toBe("one\n");
    expect(await readdir(paths.jobsDir)).toHaveLength(1);

    const next = await open(repo, cacheRoot, { spare: false });
    expect(existsSync(orphan)).toBe(false);
    // The crashed job's private npm cache went with its checkout: both were in its job directory.
    expect(existsSync(path.dirname(orphan))).toBe(false);
    expect(await jobDirs(cacheRoot)).toEqual([jobDirOf(next)]);
    await next.dispose();
    await drainWorkspaceRemovals();
    expect(await readdir(paths.jobsDir)).toEqual([]);
    expect(await jobDirs(cacheRoot)).toEqual([]);
  });

  it("never writes the token under the cache root or into a checkout, with or without protocol v2", async () => {
    for (const protocolV2 of [true, false]) {
      const remote = await startCountingRemote({ protocolV2 });
      const repo = await createRepo(remote, "o", "r", 2);
      const cacheRoot = await tempDir("pw-cache-");
      const first = await open(repo, cacheRoot, { sha: repo.firstSha });
      expect(first.cache?.fetched).toBe(protocolV2 ? "sha" : "all-refs");
      const second = await open(repo, cacheRoot);
      // A v0 server made the first open fetch every branch, the tip included.
      expect(second.cache?.fetched).toBe(protocolV2 ? "sha" : "none");
      expect(remote.requests.every((r) => r.auth === "valid")).toBe(true);

      const mirrorConfig = await readFile(path.join(first.cache?.paths.mirrorDir ?? "", "config"), "utf8");
      expect(mirrorConfig.toLowerCase()).not.toMatch(/extraheader|url|127\.0\.0\.1/);
      expect(await git(["remote", "get-url", "origin"], second.dir)).toBe(repo.cloneUrl);
      const base64 = basicAuthHeader(TOKEN).slice("Basic ".length);
      for (const needle of [TOKEN, base64, `x-access-token:${TOKEN}`]) {
        expect(await filesContaining(cacheRoot, needle)).toEqual([]);
      }
      await Promise.all([first.dispose(), second.dispose()]);
    }
  });

  it("serves concurrent jobs on one repository from one mirror, each with the right contents", async () => {
    const remote = await startCountingRemote();
    const repo = await createRepo(remote, "o", "r", 3);
    const cacheRoot = await tempDir("pw-cache-");
    const shas = [repo.firstSha, repo.tipSha, repo.firstSha, repo.tipSha, repo.tipSha, repo.firstSha];
    const workspaces = await Promise.all(shas.map((sha) => open(repo, cacheRoot, { sha })));

    expect(new Set(workspaces.map((w) => w.dir)).size).toBe(shas.length);
    for (const [i, workspace] of workspaces.entries()) {
      expect(await git(["rev-parse", "HEAD"], workspace.dir)).toBe(shas[i]);
      expect(await readFile(path.join(workspace.dir, "a.txt"), "utf8")).toBe(shas[i] === repo.firstSha ? "one\n" : "v4\n");
      expect(await git(["status", "--porcelain"], workspace.dir)).toBe("");
    }
    // The mirror was created once and fetched at most once per distinct commit.
    expect(workspaces.filter((w) => w.cache?.fetched !== "none").length).toBeLessThanOrEqual(2);
    const mirrorDir = workspaces[0]?.cache?.paths.mirrorDir ?? "";
    expect(await git(["fsck", "--no-progress", "--connectivity-only"], mirrorDir)).toBe("");
    await Promise.all(workspaces.map((w) => w.dispose()));
    await settleWorkspaces();
    expect(await jobDirs(cacheRoot)).toEqual([]);
  });

  it("keeps repositories and installations apart: distinct mirrors and npm caches", async () => {
    const remote = await startCountingRemote();
    const one = await createRepo(remote, "o", "r", 1);
    const two = await createRepo(remote, "o", "r2", 2);
    const cacheRoot = await tempDir("pw-cache-");
    const a = await open(one, cacheRoot);
    const b = await open(two, cacheRoot);
    const c = await open(one, cacheRoot, { installationId: INSTALLATION + 1 });
    const roots = [a, b, c].map((w) => w.cache?.paths.root ?? "");
    expect(new Set(roots).size).toBe(3);
    expect(new Set([a, b, c].map((w) => w.cache?.paths.npmCacheDir)).size).toBe(3);
    for (const workspace of [a, b, c]) {
      const paths = workspace.cache?.paths;
      expect(paths?.npmCacheDir.startsWith(`${paths.root}/`)).toBe(true);
      expect(existsSync(paths?.npmCacheDir ?? "")).toBe(true);
    }
    expect(c.cache?.fetched).toBe("sha"); // another installation does not reuse the first one's mirror
    expect((await runGit(["cat-file", "-e", two.tipSha], { cwd: a.cache?.paths.mirrorDir ?? "" })).exitCode).not.toBe(0);
    await Promise.all([a, b, c].map((w) => w.dispose()));
  });

  it("shares verified npm content between jobs of one repository only; each job writes a private cache", async () => {
    const remote = await startCountingRemote();
    const one = await createRepo(remote, "o", "r", 1);
    const two = await createRepo(remote, "o", "r2", 2);
    const cacheRoot = await tempDir("pw-cache-");
    const hex = createHash("sha512").update("cached\n").digest("hex");
    const blob = `_cacache/content-v2/sha512/${hex.slice(0, 2)}/${hex.slice(2, 4)}/${hex.slice(4)}`;
    const a = await open(one, cacheRoot);
    const write = await a.sandbox.run(
      `echo "$npm_config_cache"; mkdir -p "$(dirname "$npm_config_cache/${blob}")" "$npm_config_cache/_cacache/index-v5" && ` +
        `echo cached > "$npm_config_cache/${blob}" && echo entry > "$npm_config_cache/_cacache/index-v5/entry" && echo wrote`,
    );
    expect(write.output).toBe(`${SANDBOX_NPM_CACHE}\nwrote\n`);
    await a.dispose();
    await drainWorkspaceRemovals();
    const shared = a.cache?.paths.npmCacheDir ?? "";
    // The blob verified against its name and joined the shared store; the index entry did not.
    expect(await readFile(path.join(shared, blob), "utf8")).toBe("cached\n");
    expect(existsSync(path.join(shared, "_cacache", "index-v5"))).toBe(false);
    expect(existsSync(path.dirname(a.dir))).toBe(false);

    const [b, other, otherInstallation] = await Promise.all([
      open(one, cacheRoot),
      open(two, cacheRoot),
      open(one, cacheRoot, { installationId: INSTALLATION + 1 }),
    ]);
    const read = `cat "$npm_config_cache/${blob}" 2>/dev/null || echo none`;
    expect((await b.sandbox.run(read)).output).toBe("cached\n");
    expect((await other.sandbox.run(read)).output).toBe("none\n");
    expect((await otherInstallation.sandbox.run(read)).output).toBe("none\n");
    // The shared copy is read-only; the job's own cache is writable.
    const tamper = await b.sandbox.run(`(echo evil > "$npm_config_cache/${blob}") 2>/dev/null; echo tamper=$?; echo mine > "$npm_config_cache/mine"; echo own=$?`);
    expect(tamper.output).toBe("tamper=1\nown=0\n");
    expect(await readFile(path.join(shared, blob), "utf8")).toBe("cached\n");
    // A command's own setting wins.
    expect((await b.sandbox.run('echo "$npm_config_cache"', { env: { npm_config_cache: "/tmp/mine" } })).output).toBe("/tmp/mine\n");
    await Promise.all([b, other, otherInstallation].map((w) => w.dispose()));
  });

  it("derives one cache key per (installation, host, repository), case-insensitively", () => {
    const key = (installationId: number, cloneUrl: string): string => repoCachePaths({ cacheRoot: "/c", installationId, cloneUrl }).root;
    expect(key(1, "https://github.com/Octo/Repo.git")).toBe(key(1, "https://x-access-token:t@github.com/octo/repo"));
    const distinct = [
      key(1, "https://github.com/octo/repo.git"),
      key(2, "https://github.com/octo/repo.git"),
      key(1, "https://ghe.example.com/octo/repo.git"),
      key(1, "https://github.com/octo/repo2.git"),
      key(1, "https://github.com/octo-repo/x.git"),
      key(1, "https://github.com/octo/repo-x.git"),
    ];
    expect(new Set(distinct).size).toBe(distinct.length);
    for (const root of distinct) expect(path.dirname(root)).toBe("/c");
    expect(() => key(0, "https://github.com/octo/repo.git")).toThrow(/installationId/);
  });

  it("fails like a fresh clone: bad token or unknown commit, nothing left behind", async () => {
    const remote = await startCountingRemote();
    const repo = await createRepo(remote, "o", "r", 1);
    const cacheRoot = await tempDir("pw-cache-");
    const paths = repoCachePaths({ cacheRoot, installationId: INSTALLATION, cloneUrl: repo.cloneUrl });
    const wrong = "ghs_WrongTokenWrongToken0123456789abcd";
    const error = await open(repo, cacheRoot, { token: wrong }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "clone_failed" });
    expect(String((error as Error).message)).not.toContain(wrong);
    await expect(open(repo, cacheRoot, { sha: "f".repeat(40) })).rejects.toMatchObject({ code: "clone_failed", retryable: false });
    await expect(openWorkspace({ cloneUrl: repo.cloneUrl, sha: repo.tipSha, token: TOKEN, cacheRoot })).rejects.toMatchObject({
      code: "internal",
    });
    expect(await jobDirs(cacheRoot)).toEqual([]);
    expect(await readdir(paths.jobsDir)).toEqual([]);

    // The mirror is still good for the next job.
    const workspace = await open(repo, cacheRoot);
    expect(await git(["rev-parse", "HEAD"], workspace.dir)).toBe(repo.tipSha);
    await workspace.dispose();
  });

  it("checks the sandbox before touching the mirror", async () => {
    const remote = await startCountingRemote();
    const repo = await createRepo(remote, "o", "r", 1);
    const cacheRoot = await tempDir("pw-cache-");
    await expect(open(repo, cacheRoot, { bwrapPath: "/nonexistent/bwrap" })).rejects.toMatchObject({ code: "sandbox_unavailable" });
    expect(remote.requests).toEqual([]);
    const paths = repoCachePaths({ cacheRoot, installationId: INSTALLATION, cloneUrl: repo.cloneUrl });
    expect(await jobDirs(cacheRoot)).toEqual([]);
    expect(existsSync(paths.mirrorDir)).toBe(false);
  });
});
