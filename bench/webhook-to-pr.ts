/**
 * Webhook → pull request on the end-to-end fixture, with and without
 * speculative stages, and each job's stage timeline from its ledger.
 *
 *   npm run bench:pipeline -- [--runs 5] [--coalesce-ms 5000] [--log-lines 20000]
 *
 * Two app processes (`node src/main.ts`, as an operator runs it), one with
 * `PATCHWRIGHT_SPECULATE=off`, share a fake GitHub (git over smart HTTP, the
 * jobs API, logs) and a scripted OpenAI-compatible model. Each run pushes a
 * new red commit to the mode's repository, sends a signed
 * `workflow_run.completed` failure and waits for the pull request; the modes
 * alternate (a warm-up run each first, not counted), so that machine load
 * hits both alike. Prints the medians, then the timeline of each mode's
 * median run: every stage's start and length after the webhook (stage
 * entries of the ledger; overlapping lines ran at the same time).
 * The last line is one JSON object with the headline figures.
 */
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { parseArgs } from "node:util";
import { appEnv, sendWebhook, startAppProcess, type AppProcess } from "../test/e2e/app-process.ts";
import { startFakeGitHub, type FakeGitHub } from "../test/support/fake-github.ts";
import { RED_CALC_FILES } from "../test/support/calc-fixture.ts";
import { addFixtureCommit, createFixtureRepo } from "../test/support/fixture-repo.ts";
import { workflowRunCompleted } from "../test/support/payloads.ts";
import { conversationScript, startScriptedModel, toolCall } from "../test/support/scripted-model.ts";
import { positiveInt } from "./lib/positive-int.ts";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "5" }, "coalesce-ms": { type: "string", default: "5000" }, "log-lines": { type: "string", default: "20000" } },
});
const runs = positiveInt("runs", values.runs);
const coalesceMs = values["coalesce-ms"] === "0" ? 0 : positiveInt("coalesce-ms", values["coalesce-ms"]);
const SECRET = "bench-pipeline-webhook-secret";
const MODEL_KEY = "sk-bench-pipeline-key-0123456789";
const MODES = ["speculative", "sequential"] as const;
const REPRODUCE = "Reproducing the failure";
type Mode = (typeof MODES)[number];

const FILES = {
  ...RED_CALC_FILES,
  ".github/workflows/ci.yml": [
    "name: CI",
    "on: push",
    "jobs:",
    "  test:",
    "    runs-on: ubuntu-latest",
    "    steps:",
    "      - uses: actions/checkout@v4",
    "      - uses: actions/setup-node@v4",
    "        with:",
    "          node-version: 20",
    "      - name: Run tests",
    "        run: npm test",
    "",
  ].join("\n"),
};
// A CI log of realistic length: setup output, then the failure.
const LOG = [
  "##[group]Run npm ci",
  ...Array.from({ length: positiveInt("log-lines", values["log-lines"]) }, (_, i) => `npm http fetch GET 200 https://registry.npmjs.org/pkg-${i} ${i % 97}ms (cache miss)`),
  "##[endgroup]",
  "##[group]Run npm test",
  "not ok 1 - adds",
  "  AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:",
  "  -1 !== 5",
  "      at TestContext.<anonymous> (file:///home/runner/work/calc/calc/test/add.test.js:4:48)",
  "# fail 1",
  "##[error]Process completed with exit code 1.",
  "##[endgroup]",
].join("\n");
const STEPS = [
  { name: "Set up job", number: 1, conclusion: "success" },
  { name: "Run actions/checkout@v4", number: 2, conclusion: "success" },
  { name: "Run actions/setup-node@v4", number: 3, conclusion: "success" },
  { name: "Run tests", number: 4, conclusion: "failure" },
];

interface Run {
  mode: Mode;
  ms: number;
  /** Ledger entries of the job, `at` relative to the webhook. */
  timeline: { stage: string; startMs: number; ms: number }[];
}

const root = await mkdtemp(path.join(tmpdir(), "pw-bench-pipeline-"));
const gitRoot = path.join(root, "git");
let github: FakeGitHub | undefined;
const apps = new Map<Mode, { app: AppProcess; dataDir: string; bareDir: string; name: string }>();
const model = await startScriptedModel(
  conversationScript((c) => {
    if (c.role === "investigator") return toolCall("finish", { summary: "Root cause: add() subtracts.\nFiles: src/add.js\nConfidence: high" });
    return [
      toolCall("edit_file", { path: "src/add.js", old_string: "a - b", new_string: "a + b" }),
      toolCall("run_command", { command: "npm test" }),
      toolCall("finish", { summary: "add() subtracted its arguments; it now adds them." }),
    ][c.turn];
  }, 100_000),
);
try {
  github = await startFakeGitHub({ gitRoot });
  for (const mode of MODES) {
    const name = `calc-${mode}`;
    const { bareDir } = await createFixtureRepo({ root: gitRoot, owner: "octo-org", name, files: FILES });
    github.repos.set(`octo-org/${name}`, { defaultBranch: "main", roles: {}, runs: {}, issues: {} });
    const dataDir = path.join(root, `data-${mode}`);
    const env = {
      ...appEnv({ githubHost: github.host, modelBaseURL: model.baseURL, webhookSecret: SECRET, modelKey: MODEL_KEY, dataDir }),
      PATCHWRIGHT_COALESCE_MS: String(coalesceMs),
      PATCHWRIGHT_SPECULATE: mode === "speculative" ? "on" : "off",
    };
    apps.set(mode, { app: await startAppProcess(env), dataDir, bareDir, name });
  }

  let runId = 1000;
  const once_ = async (mode: Mode): Promise<Run> => {
    const { app, bareDir, name, dataDir } = apps.get(mode)!;
    runId += 1;
    const sha = await addFixtureCommit({ bareDir, files: { "README.md": `run ${runId}\n` } });
    github!.repos.get(`octo-org/${name}`)!.runs[runId] = [{ id: runId * 10, name: "test", conclusion: "failure", log: LOG, steps: STEPS }];
    const branch = `patchwright/fix-${sha.slice(0, 7)}`;
    const pulled = (async () => {
      for (;;) {
        const [pr] = (await once(github!.events, "pull")) as [{ head: string }];
        if (pr.head === branch) return;
      }
    })();
    const sentAt = Date.now();
    const started = performance.now();
    const payload = workflowRunCompleted({ owner: "octo-org", name, baseUrl: github!.url, headSha: sha, runId, installationId: 42 });
    const res = await sendWebhook(app.url, { name: "workflow_run", payload, delivery: `${mode}-${runId}`, secret: SECRET });
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
    await pulled;
    const ms = performance.now() - started;
    // The last stage's entry is written when the job ends, just after the pull request.
    const deadline = Date.now() + 60_000;
    while (!jobEnded(dataDir, `${mode}-${runId}`)) {
      if (Date.now() > deadline) throw new Error(`the job of ${mode}-${runId} did not end within a minute of its pull request`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { mode, ms, timeline: readTimeline(dataDir, `${mode}-${runId}`, sentAt) };
  };

  for (const mode of MODES) await once_(mode); // warm-up: mirrors, toolchains
  const measured: Run[] = [];
  for (let i = 0; i < runs; i += 1) for (const mode of i % 2 === 0 ? MODES : [...MODES].reverse()) measured.push(await once_(mode));

  const median = (xs: readonly number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  };
  const of = (mode: Mode) => measured.filter((r) => r.mode === mode);
  const medians = Object.fromEntries(MODES.map((m) => [m, median(of(m).map((r) => r.ms))])) as Record<Mode, number>;
  console.log(`Webhook → pull request, ${runs} runs per mode (alternating, after one warm-up each), coalescing window ${coalesceMs} ms:`);
  console.log(["mode".padEnd(12), "median".padStart(9), "min".padStart(9), "max".padStart(9)].join("  "));
  for (const mode of MODES) {
    const xs = of(mode).map((r) => r.ms);
    console.log([mode.padEnd(12), ...[medians[mode], Math.min(...xs), Math.max(...xs)].map((x) => `${(x / 1000).toFixed(2)} s`.padStart(9))].join("  "));
  }
  const timelines: Record<string, Run["timeline"]> = {};
  for (const mode of MODES) {
    const runsOf = of(mode).sort((a, b) => a.ms - b.ms);
    const mid = runsOf[Math.floor((runsOf.length - 1) / 2)]!;
    timelines[mode] = mid.timeline;
    console.log(`\nTimeline of the median ${mode} run (${(mid.ms / 1000).toFixed(2)} s), from the job's ledger, ms after the webhook:`);
    console.log(["stage".padEnd(28), "start".padStart(7), "end".padStart(7), "length".padStart(7)].join("  "));
    for (const s of mid.timeline) {
      console.log([s.stage.padEnd(28), String(s.startMs).padStart(7), String(s.startMs + s.ms).padStart(7), String(s.ms).padStart(7)].join("  "));
    }
  }
  const saved = medians.sequential - medians.speculative;
  // GitHub writes are paced a second apart per installation, so the pull request lands on that grid:
  // when the reproduction could start is the finer measure of what speculation saves.
  const reproStart = (mode: Mode) => median(of(mode).map((r) => r.timeline.find((s) => s.stage === REPRODUCE)?.startMs ?? Number.NaN));
  const starts = { speculative: reproStart("speculative"), sequential: reproStart("sequential") };
  console.log(`\nSpeculation saves ${(saved / 1000).toFixed(2)} s a job (${((100 * saved) / medians.sequential).toFixed(0)}%).`);
  console.log(`The reproduction starts ${starts.speculative} ms after the webhook speculating, ${starts.sequential} ms in sequence (medians): ${starts.sequential - starts.speculative} ms earlier.`);
  console.log(
    JSON.stringify({
      runs,
      coalesce_ms: coalesceMs,
      speculative_median_ms: Math.round(medians.speculative),
      sequential_median_ms: Math.round(medians.sequential),
      saved_ms: Math.round(saved),
      speculative_reproduce_start_ms: starts.speculative,
      sequential_reproduce_start_ms: starts.sequential,
      speedup: Number((medians.sequential / medians.speculative).toFixed(2)),
      timelines,
    }),
  );
} finally {
  for (const { app } of apps.values()) await app.stop();
  await model.close();
  await github?.close();
  await rm(root, { recursive: true, force: true });
}

function jobEnded(dataDir: string, delivery: string): boolean {
  const db = new DatabaseSync(path.join(dataDir, "patchwright.db"), { readOnly: true });
  try {
    const job = db.prepare("SELECT state FROM jobs WHERE json_extract(payload, '$.deliveryId') = ?").get(delivery) as { state: string } | undefined;
    return job !== undefined && job.state !== "queued" && job.state !== "running";
  } finally {
    db.close();
  }
}

/** The job's stage entries (`{stage, ms}`, written when a stage ends), placed on the webhook's clock. */
function readTimeline(dataDir: string, delivery: string, sentAt: number): Run["timeline"] {
  const db = new DatabaseSync(path.join(dataDir, "patchwright.db"), { readOnly: true });
  try {
    const job = db.prepare("SELECT id FROM jobs WHERE json_extract(payload, '$.deliveryId') = ?").get(delivery) as { id: number } | undefined;
    if (job === undefined) throw new Error(`no job for delivery ${delivery}`);
    const rows = db.prepare("SELECT at, data FROM ledger WHERE job_id = ? AND kind = 'stage' ORDER BY id").all(job.id) as { at: number; data: string }[];
    const stages = rows
      .map((row) => {
        const { stage, ms } = JSON.parse(row.data) as { stage: string; ms: number };
        return { stage, startMs: Math.round(row.at - ms - sentAt), ms: Math.round(ms) };
      })
      .sort((a, b) => a.startMs - b.startMs);
    // Before its first stage the job waited: the coalescing window, then a free worker.
    const first = stages[0]?.startMs ?? 0;
    return [{ stage: "(queued)", startMs: 0, ms: first }, ...stages];
  } finally {
    db.close();
  }
}
