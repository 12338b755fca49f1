/**
 * Benchmark of the advisory path: Dependabot alert webhook → pull request.
 *
 *   npm run bench:advisory -- [--runs 1]
 *
 * Starts the app as its own process against the local fake GitHub and the
 * scripted model (as the end-to-end test does), with the REAL npm registry,
 * and sends one `dependabot_alert` per fixture:
 *   direct      lodash 4.17.20 → 4.17.21 (tests green)
 *   override    minimist under optimist 0.6.1 → `overrides`
 *   parent      minimist under mkdirp 0.5.1 → mkdirp 0.5.6
 *   breaking    marked 3.0.8 → 4.0.10, the code adapted by the agent
 * Each fixture's time is split into the job's stages from the ledger
 * timestamps (`await queue.ledger(jobId)` in PATCHWRIGHT_DATA_DIR's SQLite). Prints a
 * table (medians over RUNS); the last line is one JSON object with the figures.
 */
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { openSqliteQueue } from "../src/queue/sqlite-queue.ts";
import { sendWebhook, appEnv, startAppProcess } from "../test/e2e/app-process.ts";
import { ADVISORIES, lodashProject, markedProject, mkdirpProject, optimistProject } from "../test/advisories/fixtures.ts";
import { startFakeGitHub, type FakeGitHub } from "../test/support/fake-github.ts";
import { createFixtureRepo, git } from "../test/support/fixture-repo.ts";
import { dependabotAlert } from "../test/support/payloads.ts";
import { startScriptedModel, toolCall, type ScriptStep } from "../test/support/scripted-model.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "1" } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs <= 0) {
  console.error(`--runs must be a positive integer, got ${values.runs}`);
  process.exit(2);
}

const SECRET = "bench-advisory-webhook-secret";
const PR_TIMEOUT_MS = Number(process.env["BENCH_PR_TIMEOUT_MS"] ?? 5 * 60_000);

type Advisory = NonNullable<Parameters<typeof dependabotAlert>[0]>;
const FIXTURES: { id: string; repo: string; files: Record<string, string>; advisory: Advisory }[] = [
  { id: "direct", repo: "greeter", files: lodashProject(), advisory: ADVISORIES.lodash },
  { id: "override", repo: "cli", files: optimistProject(), advisory: ADVISORIES.minimist },
  { id: "parent", repo: "maker", files: mkdirpProject(), advisory: ADVISORIES.minimist },
  { id: "breaking", repo: "render", files: markedProject("3.0.8"), advisory: ADVISORIES.marked },
];
/** What the model does for the breaking fixture: the investigator reads and diagnoses, the fixer edits and tests. */
const AGENT_SCRIPT: ScriptStep[] = [
  toolCall("read_file", { path: "src/render.js" }),
  toolCall("finish", { summary: "Root cause: marked 4 removed its default export.\nFiles: src/render.js\nConfidence: high\nFix idea: the named export." }),
  toolCall("edit_file", { path: "src/render.js", old_string: 'const marked = require("marked");', new_string: 'const { marked } = require("marked");' }),
  toolCall("run_command", { command: "npm test" }),
  toolCall("finish", { summary: "src/render.js now imports marked's named export; npm test passes." }),
];

/** Stages, each ending at a ledger entry (the last of its kind): the time since the previous one that exists. */
const STAGES = [
  { name: "queue", until: "start" },
  { name: "advisory", until: "advisory" },
  { name: "workspace", until: "workspace" },
  { name: "upgrade", until: "upgrade" },
  { name: "reproduce", until: "reproduce" },
  { name: "fix", until: "candidate" },
  { name: "deliver", until: "deliver" },
] as const;
type Timing = Record<(typeof STAGES)[number]["name"] | "total" | "webhook", number>;

const root = mkdtempSync(path.join(tmpdir(), "pw-bench-advisory-"));
const gitRoot = path.join(root, "git");
const dataDir = path.join(root, "data");
let github: FakeGitHub | undefined;
let model: Awaited<ReturnType<typeof startScriptedModel>> | undefined;
let app: Awaited<ReturnType<typeof startAppProcess>> | undefined;
try {
  const repos = new Map<string, string>();
  for (const f of FIXTURES) repos.set(f.repo, (await createFixtureRepo({ root: gitRoot, owner: "bench", name: f.repo, files: f.files })).bareDir);
  github = await startFakeGitHub({ gitRoot });
  model = await startScriptedModel(Array.from({ length: runs }, () => AGENT_SCRIPT).flat());
  app = await startAppProcess(appEnv({ githubHost: github.host, modelBaseURL: model.baseURL, webhookSecret: SECRET, modelKey: "sk-bench-model-key-0000000000", dataDir: dataDir }));
  const queue = openSqliteQueue({ dataDir });
  const timings = new Map<string, Timing[]>();
  let alertNumber = 0;
  for (let run = 1; run <= runs; run++) {
    for (const f of FIXTURES) {
      const gh = github;
      const alert = dependabotAlert({ owner: "bench", name: f.repo, baseUrl: gh.url, installationId: 42, ...f.advisory, alertNumber: ++alertNumber, action: run === 1 ? "created" : "reopened" });
      gh.repos.set(`bench/${f.repo}`, { defaultBranch: "main", roles: {}, runs: {}, issues: {}, alerts: [alert["alert"] as Record<string, unknown>] });
      const pulled = waitForPull(gh, `bench/${f.repo}`);
      const sentAt = Date.now();
      const res = await sendWebhook(app.url, { name: "dependabot_alert", payload: alert, delivery: `bench-${run}-${f.id}`, secret: SECRET });
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
      const pr = await pulled;
      const prAt = Date.now();
      const job = await finished(queue, f.repo);
      const ledger = await queue.ledger(job.id);
      const timing = { webhook: job.createdAt - sentAt, total: prAt - sentAt } as Timing;
      let previous = job.createdAt;
      for (const stage of STAGES) {
        const at = ledger.filter((e) => e.kind === stage.until).at(-1)?.at;
        timing[stage.name] = at === undefined ? 0 : at - previous;
        if (at !== undefined) previous = at;
      }
      timings.set(f.id, [...(timings.get(f.id) ?? []), timing]);
      process.stderr.write(`run ${run} ${f.id}: ${pr.title} in ${timing.total} ms\n`);
      // The next run starts from the same state: no open PR, no patchwright/ branch.
      gh.pulls.splice(0, gh.pulls.length, ...gh.pulls.filter((p) => p.repo !== `bench/${f.repo}`));
      for (const branch of (await git(["for-each-ref", "--format=%(refname:short)", "refs/heads/patchwright/"], repos.get(f.repo)!)).split("\n").filter(Boolean)) {
        await git(["branch", "-D", branch], repos.get(f.repo)!);
      }
    }
  }
  await queue.close();

  const columns = ["webhook", ...STAGES.map((s) => s.name), "total"] as const;
  const medians = Object.fromEntries(
    FIXTURES.map((f) => [f.id, Object.fromEntries(columns.map((c) => [c, median(timings.get(f.id)!.map((t) => t[c]))]))]),
  ) as Record<string, Record<(typeof columns)[number], number>>;
  console.log(`\nalert webhook → pull request, median of ${runs} run(s), ms (stages from the job ledger)\n`);
  const header = ["fixture", ...columns];
  const rows = FIXTURES.map((f) => [f.id, ...columns.map((c) => String(medians[f.id]![c]))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) console.log(line(r));
  console.log(JSON.stringify({ bench: "advisory", runs, unit: "ms", fixtures: medians }));
} finally {
  await app?.stop();
  await model?.close();
  await github?.close();
  rmSync(root, { recursive: true, force: true });
}

function waitForPull(gh: FakeGitHub, repo: string): Promise<FakeGitHub["pulls"][number]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no pull request for ${repo} within ${PR_TIMEOUT_MS / 1000} s`)), PR_TIMEOUT_MS);
  const next = async (): Promise<FakeGitHub["pulls"][number]> => {
    for (;;) {
      const [pr] = (await once(gh.events, "pull", { signal: controller.signal })) as [FakeGitHub["pulls"][number]];
      if (pr.repo === repo) return pr;
    }
  };
  return next().finally(() => clearTimeout(timer));
}

/** The fixture's latest job once it has ended: its last ledger entries come after the PR. */
async function finished(queue: ReturnType<typeof openSqliteQueue>, repo: string) {
  const deadline = Date.now() + PR_TIMEOUT_MS;
  for (;;) {
    const job = (await queue.list()).filter((j) => j.payload.kind === "bump-dependency" && j.payload.repo.name === repo).at(-1);
    if (job && job.state !== "queued" && job.state !== "running") return job;
    if (Date.now() > deadline) throw new Error(`the job for ${repo} did not end`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
}
