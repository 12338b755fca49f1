/**
 * Webhook → PR on real repositories (test/fixtures/real), the same runs as
 * the end-to-end test, twice in one process run:
 *   1. first run: an empty toolchain cache (every Node, npm, pnpm, Yarn and
 *      Bun version the jobs set up is downloaded from the npm registry);
 *   2. cached: a new app (new data directory, so a new mirror and checkout)
 *      on the same toolchain cache: nothing is downloaded.
 * Per fixture, the stage breakdown comes from the job's ledger: toolchain
 * (provisioning), setup (the job's install steps), reproduce (the steps
 * after setup, re-runs included) and verify.
 *
 *   npm run bench:real -- [--only name,name] [--concurrency 2]
 *
 * Prints a table; the last line is one JSON object with the headline figures.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { repackInstalledWheels, startPythonIndex } from "../test/support/python-index.ts";
import { readRealFixtures, runRealFixtures, type RealRun } from "../test/support/real-fixtures.ts";

const { values } = parseArgs({ options: { only: { type: "string" }, concurrency: { type: "string", default: "2" } } });
const only = values.only?.split(",").map((s) => s.trim()).filter(Boolean);
const fixtures = (await readRealFixtures()).filter((f) => only === undefined || only.includes(f.name));
if (fixtures.length === 0) throw new Error(`no fixture named ${values.only ?? ""}`);
const concurrency = Number(values.concurrency);

const root = await mkdtemp(path.join(tmpdir(), "pw-bench-real-"));
const wheels = path.join(root, "wheels");
await mkdir(wheels);
const index = await startPythonIndex(await repackInstalledWheels("/usr/bin/python3", wheels, ["pytest"]));
const toolchainDir = path.join(root, "toolchains");
try {
  const first = await runRealFixtures({ fixtures, root: path.join(root, "first"), toolchainDir, concurrency, pythonIndex: index.url });
  const cached = await runRealFixtures({ fixtures, root: path.join(root, "cached"), toolchainDir, concurrency, pythonIndex: index.url });
  report(first, cached);
} finally {
  await index.close();
  await rm(root, { recursive: true, force: true });
}

function report(first: readonly RealRun[], cached: readonly RealRun[]): void {
  const s = (ms: number) => (ms / 1000).toFixed(1);
  const header = ["fixture", "kind", "toolchain", "result", "exact", "first s", "cached s", "toolchain first/cached s", "setup s", "reproduce s", "verify s", "scoped to"];
  const rows = first.map((run) => {
    const again = cached.find((c) => c.fixture.name === run.fixture.name);
    return [
      run.fixture.name,
      run.fixture.kind,
      run.stages.toolchains || "worker's own",
      run.pr ? `PR #${run.pr.number}` : (run.conclusion ?? "none"),
      run.stages.exact === true ? "exact" : "approximate",
      s(run.elapsedMs),
      again ? s(again.elapsedMs) : "-",
      `${s(run.stages.toolchainMs)} / ${again ? s(again.stages.toolchainMs) : "-"}`,
      s(again?.stages.setupMs ?? run.stages.setupMs),
      s(again?.stages.reproduceMs ?? run.stages.reproduceMs),
      s(again?.stages.verifyMs ?? run.stages.verifyMs),
      run.stages.scopedTo ?? "-",
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.log(line(row));
  const median = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return sorted.length === 0 ? 0 : (sorted[Math.floor((sorted.length - 1) / 2)]! + sorted[Math.ceil((sorted.length - 1) / 2)]!) / 2;
  };
  const prs = (runs: readonly RealRun[]) => runs.filter((r) => r.pr !== undefined).length;
  console.log(
    JSON.stringify({
      fixtures: first.length,
      prsFirst: prs(first),
      prsCached: prs(cached),
      exact: first.filter((r) => r.stages.exact === true).length,
      medianFirstS: Number(s(median(first.map((r) => r.elapsedMs)))),
      medianCachedS: Number(s(median(cached.map((r) => r.elapsedMs)))),
      toolchainFirstS: Number(s(first.reduce((t, r) => t + r.stages.toolchainMs, 0))),
      toolchainCachedS: Number(s(cached.reduce((t, r) => t + r.stages.toolchainMs, 0))),
      cachedDownloadedNothing: cached.every((r) => r.stages.toolchainCached),
    }),
  );
}
