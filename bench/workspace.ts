/**
 * Benchmark of the workspace stage on a repository with a long history.
 *
 *   npm run bench:workspace -- [--commits 20000] [--bytes 4096] [--files 500] [--runs 7] [--out DIR]
 *
 * Generates (once, cached under OUT/remote) a bare repository with COMMITS
 * commits, serves it with `git http-backend` on 127.0.0.1 with token
 * authentication, then measures in one run:
 *   - the first job on a fresh cache (`openWorkspace` creates the mirror);
 *   - then RUNS times, interleaved so that machine load hits all alike:
 *     - a plain full `git clone` of it (what a job without a cache pays at best);
 *     - the warm mirror: a commit is pushed first, so `openWorkspace` fetches
 *       it, clones from the mirror and checks out; then `dispose`;
 *     - the warm mirror when the commit is already there (a second job on it).
 * Prints a table with medians; the last line is one JSON object with the
 * headline figures (`ratio` = clone median / warm median).
 */
import { positiveInt } from "./lib/positive-int.ts";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gitAuthEnv } from "../src/workspace/git-auth-env.ts";
import { openWorkspace } from "../src/workspace/open-workspace.ts";
import { runGit } from "../src/workspace/run-git.ts";
import { startGitHttpServer } from "../test/support/git-http-server.ts";
import { ensureHistoryRepo, pushCommit } from "./lib/history-repo.ts";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    commits: { type: "string", default: "20000" },
    bytes: { type: "string", default: "4096" },
    files: { type: "string", default: "500" },
    runs: { type: "string", default: "7" },
    out: { type: "string", default: resolve(repoRoot, "bench/out/workspace") },
  },
});
const int = positiveInt;
const spec = { commits: int("commits", values.commits), bytesPerCommit: int("bytes", values.bytes), files: int("files", values.files) };
const runs = int("runs", values.runs);
const out = resolve(values.out);
const TOKEN = "ghs_BenchWorkspaceToken0123456789abcdefXYZ";
const INSTALLATION = 1;

const remoteRoot = join(out, "remote");
const repo = await ensureHistoryRepo(remoteRoot, spec);
const server = await startGitHttpServer({ projectRoot: remoteRoot, token: TOKEN });
const cloneUrl = `${server.url}/bench/history.git`;
const scratch = join(out, "scratch");
const cacheRoot = join(out, "cache");
rmSync(scratch, { recursive: true, force: true });
rmSync(cacheRoot, { recursive: true, force: true });
mkdirSync(scratch, { recursive: true });

const time = async (fn: () => Promise<void>): Promise<number> => {
  const started = performance.now();
  await fn();
  return performance.now() - started;
};

try {
  const tip = (await runGit(["rev-parse", "refs/heads/main"], { cwd: repo.bareDir })).stdout.trim();
  const open = async (sha: string, expectFetched: string): Promise<void> => {
    const workspace = await openWorkspace({ cloneUrl, sha, token: TOKEN, cacheRoot, installationId: INSTALLATION });
    try {
      if (workspace.cache?.fetched !== expectFetched) {
        throw new Error(`expected the mirror refresh to fetch "${expectFetched}", it fetched "${workspace.cache?.fetched}"`);
      }
    } finally {
      await workspace.dispose();
    }
  };

  // The first job of the repository creates the mirror (full history).
  const coldMs = await time(() => open(tip, "sha"));

  // Interleaved, so that both sides see the same machine load:
  // 1. a plain full clone (with checkout), the token sent as the app sends it;
  // 2. a warm mirror with a new commit pushed since: fetched by sha;
  // 3. a warm mirror with the commit already there (a second job on it): no network.
  const cloneMs: number[] = [];
  const warmMs: number[] = [];
  const hitMs: number[] = [];
  const requests: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const dir = mkdtempSync(join(scratch, "clone-"));
    cloneMs.push(
      await time(async () => {
        const result = await runGit(["clone", "--quiet", cloneUrl, dir], { env: gitAuthEnv(cloneUrl, TOKEN) });
        if (result.exitCode !== 0) throw new Error(`git clone failed: ${result.stderr}`);
      }),
    );
    rmSync(dir, { recursive: true, force: true });

    const sha = pushCommit(repo.bareDir, `run-${Date.now()}-${i}`);
    const before = server.requests.length;
    warmMs.push(await time(() => open(sha, "sha")));
    requests.push(server.requests.length - before);
    hitMs.push(await time(() => open(sha, "none")));
  }

  const median = (xs: readonly number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
  };
  const ms = (x: number): string => `${x.toFixed(0)} ms`;
  const row = (label: string, xs: readonly number[]): string[] => [
    label,
    ms(median(xs)),
    ms(Math.min(...xs)),
    ms(Math.max(...xs)),
    String(xs.length),
  ];
  const ratio = median(cloneMs) / median(warmMs);
  const table = [
    ["", "median", "min", "max", "runs"],
    row("git clone (full)", cloneMs),
    row("first job: create mirror", [coldMs]),
    row("warm mirror, new commit", warmMs),
    row("warm mirror, commit present", hitMs),
  ];
  const widths = table[0]?.map((_, c) => Math.max(...table.map((r) => (r[c] ?? "").length))) ?? [];
  console.log(
    `Repository: ${spec.commits} commits, ${(repo.packBytes / 1e6).toFixed(1)} MB of objects, ${spec.files} files ` +
      (repo.generated ? `(generated in ${(repo.generateMs / 1000).toFixed(1)} s)` : `(reused from ${remoteRoot})`),
  );
  console.log("Workspace = openWorkspace (sandbox probe, mirror lock, fetch, local clone, checkout) + dispose.");
  for (const r of table) console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join("  "));
  console.log(`warm open with a new commit: ${median(requests)} HTTP requests (median); ratio clone / warm = ${ratio.toFixed(1)}x`);
  console.log(
    JSON.stringify({
      commits: spec.commits,
      object_bytes: repo.packBytes,
      files: spec.files,
      clone_median_ms: Math.round(median(cloneMs)),
      cold_open_ms: Math.round(coldMs),
      warm_median_ms: Math.round(median(warmMs)),
      warm_present_median_ms: Math.round(median(hitMs)),
      warm_requests_median: median(requests),
      runs,
      ratio: Number(ratio.toFixed(1)),
    }),
  );
} finally {
  await server.close();
  rmSync(scratch, { recursive: true, force: true });
  rmSync(cacheRoot, { recursive: true, force: true });
}
