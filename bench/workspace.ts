/**
 * Benchmark of the workspace stage on a repository with a long history.
 *
 *   npm run bench:workspace -- [--commits 20000] [--bytes 4096] [--files 500] [--runs 7] [--out DIR]
 *
 * Generates (once, cached under OUT/remote) a bare repository with COMMITS
 * commits, serves it with `git http-backend` on 127.0.0.1 with token
 * authentication (from a child process, as a host is another machine), then
 * measures in one run:
 *   - the first job on a fresh cache (`openWorkspace` creates the mirror);
 *   - then RUNS times, interleaved so that machine load hits all alike:
 *     - a plain full `git clone` of it (what a job without a cache pays at best);
 *     - before: the open as it was (`lib/legacy-open-workspace.ts`), on a
 *       newly pushed commit, then on the same commit again;
 *     - after: `openWorkspace` + `dispose` with `spare` and `backgroundRemoval`,
 *       a commit pushed first so the mirror fetches it over HTTP, then a
 *       second job on it (no network);
 *     - after, with the defaults (neither): a new commit, every file written.
 *   What an open leaves in the background (deleting the disposed job, making
 *   a spare checkout) finishes, untimed, before the next measurement.
 * Prints a table with medians and the stage breakdown (`onStage`); the last
 * line is one JSON object with the headline figures (`ratio` = clone median
 * / warm median; `ratio_before` the same for the open as it was).
 */
import { positiveInt } from "./lib/positive-int.ts";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gitAuthEnv } from "../src/workspace/git-auth-env.ts";
import { discardSpareCheckouts, drainSpareCheckouts, drainWorkspaceRemovals, openWorkspace } from "../src/workspace/open-workspace.ts";
import { runGit } from "../src/workspace/run-git.ts";
import { startGitHttpServerProcess } from "./lib/git-http-server-process.ts";
import { ensureHistoryRepo, pushCommit } from "./lib/history-repo.ts";
import { legacyOpenWorkspace } from "./lib/legacy-open-workspace.ts";
import { median, StageSamples, stageTable } from "./lib/stage-samples.ts";

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
// In a process of its own, as a repository host is: its forks must not block the measured client.
const server = await startGitHttpServerProcess({ projectRoot: remoteRoot, token: TOKEN });
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
  // "after": spare checkouts and background removal turned on (both off by default); "defaults": neither.
  type OpenOptions = { readonly spare?: boolean; readonly backgroundRemoval?: boolean };
  const WARM: OpenOptions = { spare: true, backgroundRemoval: true };
  const open = async (sha: string, expectFetched: string, stages?: StageSamples, options: OpenOptions = WARM): Promise<void> => {
    const onStage = stages?.begin();
    const workspace = await openWorkspace({ cloneUrl, sha, token: TOKEN, cacheRoot, installationId: INSTALLATION, ...options, ...(onStage ? { onStage } : {}) });
    try {
      if (workspace.cache?.fetched !== expectFetched) {
        throw new Error(`expected the mirror refresh to fetch "${expectFetched}", it fetched "${workspace.cache?.fetched}"`);
      }
    } finally {
      await workspace.dispose();
    }
  };
  const openBefore = async (sha: string, expectFetched: string, stages: StageSamples): Promise<void> => {
    const workspace = await legacyOpenWorkspace({ cloneUrl, sha, token: TOKEN, cacheRoot, installationId: INSTALLATION, onStage: stages.begin() });
    try {
      if (workspace.fetched !== expectFetched) throw new Error(`expected the legacy open to fetch "${expectFetched}", it fetched "${workspace.fetched}"`);
    } finally {
      await workspace.dispose();
    }
  };
  // What an open leaves running (deleting a disposed job, making a spare) finishes before the
  // next measurement starts, untimed, so that no measurement pays for another's background work.
  const settle = async (): Promise<void> => {
    await drainSpareCheckouts();
    await drainWorkspaceRemovals();
  };

  // The first job of the repository creates the mirror (full history).
  const coldMs = await time(() => open(tip, "sha"));
  await settle();

  // Interleaved, so that all sides see the same machine load:
  // 1. a plain full clone (with checkout), the token sent as the app sends it;
  // 2. before: the open as it was (bench/lib/legacy-open-workspace.ts), a new commit, then again on it;
  // 3. after: `openWorkspace`, a new commit (fetched by sha), then again on it (no network);
  // 4. after, with the defaults (no spare checkout, files deleted before dispose returns): a new commit.
  const cloneMs: number[] = [];
  const beforeMs: number[] = [];
  const beforeHitMs: number[] = [];
  const warmMs: number[] = [];
  const hitMs: number[] = [];
  const noSpareMs: number[] = [];
  const requests: number[] = [];
  const beforeStages = new StageSamples();
  const warmStages = new StageSamples();
  const noSpareStages = new StageSamples();
  for (let i = 0; i < runs; i += 1) {
    const dir = mkdtempSync(join(scratch, "clone-"));
    cloneMs.push(
      await time(async () => {
        const result = await runGit(["clone", "--quiet", cloneUrl, dir], { env: gitAuthEnv(cloneUrl, TOKEN) });
        if (result.exitCode !== 0) throw new Error(`git clone failed: ${result.stderr}`);
      }),
    );
    rmSync(dir, { recursive: true, force: true });
    await settle();

    const old = pushCommit(repo.bareDir, `before-${Date.now()}-${i}`);
    beforeMs.push(await time(() => openBefore(old, "sha", beforeStages)));
    await settle();
    beforeHitMs.push(await time(() => openBefore(old, "none", new StageSamples())));
    await settle();

    const sha = pushCommit(repo.bareDir, `run-${Date.now()}-${i}`);
    const sent = await server.requestCount();
    warmMs.push(await time(() => open(sha, "sha", warmStages)));
    requests.push((await server.requestCount()) - sent);
    await settle();
    hitMs.push(await time(() => open(sha, "none")));
    await settle();

    const bare = pushCommit(repo.bareDir, `no-spare-${Date.now()}-${i}`);
    noSpareMs.push(await time(() => open(bare, "sha", noSpareStages, {})));
    await settle();
  }

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
    row("before: warm mirror, new commit", beforeMs),
    row("before: warm mirror, commit present", beforeHitMs),
    row("after: warm mirror, new commit", warmMs),
    row("after: warm mirror, commit present", hitMs),
    row("after, defaults: new commit", noSpareMs),
  ];
  const widths = table[0]?.map((_, c) => Math.max(...table.map((r) => (r[c] ?? "").length))) ?? [];
  console.log(
    `Repository: ${spec.commits} commits, ${(repo.packBytes / 1e6).toFixed(1)} MB of objects, ${spec.files} files ` +
      (repo.generated ? `(generated in ${(repo.generateMs / 1000).toFixed(1)} s)` : `(reused from ${remoteRoot})`),
  );
  console.log("Workspace = openWorkspace (sandbox, mirror lock, fetch, copy of the commit, checkout) + dispose.");
  for (const r of table) console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join("  "));
  console.log(`warm open with a new commit: ${median(requests)} HTTP requests (median); ratio clone / warm = ${ratio.toFixed(1)}x`);
  console.log("");
  console.log("Warm open with a new commit, by stage (medians; stages overlap after; `remove` runs after dispose returned):");
  console.log(stageTable({ before: beforeStages, after: warmStages, "after, defaults": noSpareStages }));
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
      before_warm_median_ms: Math.round(median(beforeMs)),
      before_warm_present_median_ms: Math.round(median(beforeHitMs)),
      ratio_before: Number((median(cloneMs) / median(beforeMs)).toFixed(1)),
      warm_defaults_median_ms: Math.round(median(noSpareMs)),
      ratio_defaults: Number((median(cloneMs) / median(noSpareMs)).toFixed(1)),
      stages_before_ms: beforeStages.medians(),
      stages_after_ms: warmStages.medians(),
      stages_defaults_ms: noSpareStages.medians(),
    }),
  );
} finally {
  await server.close();
  await discardSpareCheckouts();
  await drainWorkspaceRemovals();
  rmSync(scratch, { recursive: true, force: true });
  rmSync(cacheRoot, { recursive: true, force: true });
}
