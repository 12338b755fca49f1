/**
 * Real public repositories as fixtures (`test/fixtures/real/`): each a small
 * git bundle at a commit whose CI job fails for a real bug, the upstream fix
 * as a patch, and a manifest entry saying what CI ran. This module turns one
 * into what the end-to-end test and `bench:real` need: a bare repository the
 * fake GitHub serves, the jobs API's view of the failed run, and the files
 * the scripted model writes (the upstream fix).
 */
import { execa } from "execa";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { z } from "zod";
import { jobNamePatterns, stepDisplayName } from "../../src/reproduction/display-names.ts";
import { expandMatrix } from "../../src/reproduction/expand-matrix.ts";
import { parseWorkflow } from "../../src/reproduction/parse-workflow.ts";
import { DatabaseSync } from "node:sqlite";
import { appEnv, sendWebhook, startAppProcess } from "../e2e/app-process.ts";
import { startFakeGitHub, type FakeGitHub, type FakeRepo } from "./fake-github.ts";
import { workflowRunCompleted } from "./payloads.ts";
import { conversationScript, startScriptedModel, toolCall } from "./scripted-model.ts";
import { git } from "./fixture-repo.ts";

export const REAL_FIXTURES_DIR = path.resolve(import.meta.dirname, "../fixtures/real");

const Entry = z.object({
  name: z.string().regex(/^[a-z0-9-]+$/),
  kind: z.string(),
  upstream: z.string(),
  upstreamCommit: z.string(),
  licence: z.string(),
  branch: z.string().default("main"),
  failingCommit: z.string().regex(/^[0-9a-f]{40}$/),
  workflow: z.string(),
  job: z.string(),
  failedStep: z.string(),
  toolchain: z.string(),
  testFiles: z.array(z.string()).default([]),
  /** Why the reproduction cannot be exact (CI ran on macOS, say): the PR must say so. Absent: it must be exact. */
  approximate: z.string().optional(),
  /**
   * A second bug of a repository another fixture already runs with the same
   * toolchain: it adds time, not coverage, so `bench:real` runs it and the
   * test suite only when `REAL_FIXTURES` names it.
   */
  benchOnly: z.boolean().default(false),
});
export type RealFixture = z.infer<typeof Entry>;

export async function readRealFixtures(): Promise<RealFixture[]> {
  return z.array(Entry).parse(JSON.parse(await readFile(path.join(REAL_FIXTURES_DIR, "manifest.json"), "utf8")));
}

/** Clones the fixture's bundle as `<gitRoot>/<owner>/<name>.git`; returns the bare directory. */
export async function importBundle(fixture: RealFixture, gitRoot: string, owner: string): Promise<string> {
  const bareDir = path.join(gitRoot, owner, `${fixture.name}.git`);
  await mkdir(path.dirname(bareDir), { recursive: true });
  await git(["clone", "--quiet", "--bare", path.join(REAL_FIXTURES_DIR, `${fixture.name}.bundle`), bareDir]);
  await git(["update-ref", `refs/heads/${fixture.branch}`, fixture.failingCommit], bareDir);
  await git(["symbolic-ref", "HEAD", `refs/heads/${fixture.branch}`], bareDir);
  return bareDir;
}

/** The files the upstream fix changes, as they are after it (`null`: deleted). */
export async function fixedFiles(fixture: RealFixture): Promise<Record<string, string | null>> {
  const work = await mkdtemp(path.join(tmpdir(), "pw-real-fix-"));
  try {
    await git(["clone", "--quiet", "--no-checkout", path.join(REAL_FIXTURES_DIR, `${fixture.name}.bundle`), work]);
    await git(["checkout", "--quiet", fixture.failingCommit], work);
    const patch = path.join(REAL_FIXTURES_DIR, `${fixture.name}.fix.patch`);
    await git(["apply", "--whitespace=nowarn", patch], work);
    const changed = [
      ...(await git(["diff", "--name-only", "HEAD"], work)).split("\n"),
      ...(await git(["ls-files", "--others", "--exclude-standard"], work)).split("\n"),
    ].filter(Boolean);
    const files: Record<string, string | null> = {};
    for (const file of changed) files[file] = await readFile(path.join(work, file), "utf8").catch(() => null);
    return files;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * The failed run as GitHub's jobs API shows it: every step of the failed job
 * by its display name, success up to the failed step, then skipped. The
 * workflow file is read at the failing commit.
 */
export async function failedRun(fixture: RealFixture, bareDir: string, jobId: number): Promise<FakeRepo["runs"][number]> {
  const text = (await execa("git", ["show", `${fixture.failingCommit}:${fixture.workflow}`], { cwd: bareDir })).stdout;
  const parsed = parseWorkflow(text);
  if (!parsed.ok) throw new Error(`${fixture.name}: ${parsed.error}`);
  // The job and matrix combination GitHub names `fixture.job`.
  const context = { env: {}, github: {}, runner: {} };
  const found = parsed.workflow.jobs.flatMap((job) => {
    const expanded = expandMatrix(job.matrix);
    const combinations = expanded.ok ? expanded.combinations : [{}];
    return combinations.filter((matrix) => jobNamePatterns(job, matrix, { ...context, matrix }).some((p) => p.test(fixture.job))).map((matrix) => ({ job, matrix }));
  })[0];
  if (found === undefined) throw new Error(`${fixture.name}: no job named \`${fixture.job}\` in ${fixture.workflow}`);
  const names = found.job.steps.map((step) => stepDisplayName(step, { ...context, matrix: found.matrix }));
  const failedIndex = names.indexOf(fixture.failedStep);
  if (failedIndex === -1) throw new Error(`${fixture.name}: no step \`${fixture.failedStep}\` in job \`${fixture.job}\` (${names.join(" | ")})`);
  const steps = [
    { name: "Set up job", number: 1, conclusion: "success" },
    ...names.map((name, i) => ({ name, number: i + 2, conclusion: i < failedIndex ? "success" : i === failedIndex ? "failure" : "skipped" })),
  ];
  const log = [`##[group]Run ${fixture.failedStep}`, "The test step failed.", "##[error]Process completed with exit code 1.", "##[endgroup]"].join("\n");
  return [{ id: jobId, name: fixture.job, conclusion: "failure", steps, log }];
}

/** What one fixture's job came to. */
export interface RealRun {
  readonly fixture: RealFixture;
  readonly repo: string;
  /** The PR, when one was opened. */
  readonly pr?: { number: number; head: string; body: string; title: string };
  /** The job's ending as its check run reported it. */
  readonly conclusion: string | undefined;
  readonly summary: string;
  /** The check run's details (the reproduction, the output tail). */
  readonly details: string;
  /** Webhook → PR (or → the job's end). */
  readonly elapsedMs: number;
  readonly stages: StageBreakdown;
}

/** Time per stage, from the job's ledger. */
export interface StageBreakdown {
  readonly toolchainMs: number;
  /** Were all toolchains already cached (nothing downloaded)? */
  readonly toolchainCached: boolean;
  readonly toolchains: string;
  readonly setupMs: number;
  readonly reproduceMs: number;
  readonly verifyMs: number;
  readonly exact: boolean | undefined;
  /** The workspace package a monorepo failure was scoped to, when it was. */
  readonly scopedTo: string | undefined;
}

/** Reads a job's ledger from the app's SQLite store and sums its stages. */
export function stageBreakdown(rows: readonly { kind: string; data: string }[]): StageBreakdown {
  let toolchainMs = 0;
  let toolchainCached = true;
  let toolchains = "";
  let setupMs = 0;
  let reproduceMs = 0;
  let verifyMs = 0;
  let exact: boolean | undefined;
  let scopedTo: string | undefined;
  for (const row of rows) {
    const data = JSON.parse(row.data) as Record<string, unknown>;
    if (row.kind === "toolchain") {
      toolchainMs += Number(data["durationMs"] ?? 0);
      const tools = (data["tools"] ?? []) as { tool: string; version: string; cached: boolean }[];
      toolchainCached &&= tools.every((t) => t.cached);
      toolchains = tools.map((t) => `${t.tool} ${t.version}`).join(", ");
    }
    if (row.kind === "reproduce") {
      const steps = ((data["run"] as { steps?: { network: boolean; durationMs: number }[] } | undefined)?.steps ?? []);
      for (const step of steps) {
        if (step.network) setupMs += step.durationMs;
        else reproduceMs += step.durationMs;
      }
      exact = (data["exact"] as boolean | undefined) ?? (data["plan"] as { exact?: boolean } | undefined)?.exact;
    }
    if (row.kind === "candidate") verifyMs += Number(data["verifyMs"] ?? 0);
    if (row.kind === "scope" && data["taken"] === true) scopedTo = String(data["package"]);
  }
  return { toolchainMs, toolchainCached, toolchains, setupMs, reproduceMs, verifyMs, exact, scopedTo };
}

const OWNER = "real";
const SECRET = "real-fixtures-webhook-secret";

/**
 * Runs every fixture through the app, as GitHub and a model would drive it:
 * a signed `workflow_run` failure for the fixture's failing commit reaches
 * the app (a separate process), the scripted model applies the upstream fix,
 * and the job ends with a PR (or a report). Jobs run `concurrency` at a time.
 * `toolchainDir` is the toolchain cache: empty for a first run, reused for a
 * cached one.
 */
export async function runRealFixtures(args: {
  fixtures: readonly RealFixture[];
  root: string;
  toolchainDir: string;
  concurrency?: number;
  /** All jobs, webhook → ending; default 20 minutes. */
  timeoutMs?: number;
  /** The Python package index setup installs from (a local one: PyPI is not reachable here). */
  pythonIndex?: string;
  /** More of the app's environment (a registry mirror, say). */
  env?: Record<string, string>;
}): Promise<RealRun[]> {
  const gitRoot = path.join(args.root, "git");
  const github: FakeGitHub = await startFakeGitHub({ gitRoot });
  const fixes = new Map<string, Record<string, string | null>>();
  const shas = new Map<string, string>();
  let runId = 5000;
  for (const fixture of args.fixtures) {
    const bareDir = await importBundle(fixture, gitRoot, OWNER);
    shas.set(fixture.name, fixture.failingCommit);
    fixes.set(`${OWNER}/${fixture.name}`, await fixedFiles(fixture));
    github.repos.set(`${OWNER}/${fixture.name}`, {
      defaultBranch: fixture.branch,
      roles: { maintainer: "write" },
      // One fixer: the scripted model writes the upstream fix, and one verified candidate is all a run needs.
      config: "candidates: 1\n",
      runs: { [++runId]: await failedRun(fixture, bareDir, runId * 10) },
      issues: {},
    });
  }
  const model = await startScriptedModel(
    conversationScript((c) => {
      if (c.role === "investigator") return toolCall("finish", { summary: "Root cause: the upstream bug the failing test shows.\nConfidence: high" });
      const files = Object.entries(fixes.get(c.repository) ?? {}).filter((entry): entry is [string, string] => entry[1] !== null);
      if (c.turn < files.length) return toolCall("write_file", { path: files[c.turn]![0], content: files[c.turn]![1] });
      if (c.turn === files.length) return toolCall("finish", { summary: "Apply the upstream fix." });
      return undefined;
    }),
  );
  const dataDir = path.join(args.root, "data");
  const app = await startAppProcess({
    ...appEnv({ githubHost: github.host, modelBaseURL: model.baseURL, webhookSecret: SECRET, modelKey: "sk-real-fixtures-key", dataDir }),
    PATCHWRIGHT_TOOLCHAIN_DIR: args.toolchainDir,
    PATCHWRIGHT_CONCURRENCY: String(args.concurrency ?? 2),
    PATCHWRIGHT_MAX_PER_INSTALLATION: String(args.concurrency ?? 2),
    PATCHWRIGHT_COALESCE_MS: "0",
    ...(args.pythonIndex ? { PATCHWRIGHT_PYTHON_INDEX: args.pythonIndex } : {}),
    ...args.env,
  });
  try {
    const started = new Map<string, number>();
    const ended = new Map<string, { at: number; conclusion: string | undefined; summary: string; details: string }>();
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`real fixtures: not every job ended in time:\n${app.logs.slice(-80).join("\n")}`)), args.timeoutMs ?? 20 * 60_000);
      github.events.on("request", () => {
        for (const request of github.requests) {
          const body = request.body as { conclusion?: string; output?: { title?: string; summary?: string; text?: string } } | null;
          const repo = /^\/api\/v3\/repos\/(real\/[^/]+)\/check-runs\/\d+$/.exec(request.path)?.[1];
          if (request.method !== "PATCH" || repo === undefined || body?.conclusion === undefined || ended.has(repo)) continue;
          ended.set(repo, { at: Date.now(), conclusion: body.conclusion, summary: `${body.output?.title ?? ""}: ${body.output?.summary ?? ""}`, details: body.output?.text ?? "" });
        }
        if (ended.size === args.fixtures.length) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    for (const [index, fixture] of args.fixtures.entries()) {
      const repo = `${OWNER}/${fixture.name}`;
      started.set(repo, Date.now());
      const payload = workflowRunCompleted({ owner: OWNER, name: fixture.name, baseUrl: github.url, headSha: shas.get(fixture.name)!, headBranch: fixture.branch, runId: 5001 + index, installationId: 42, workflowPath: fixture.workflow });
      const res = await sendWebhook(app.url, { name: "workflow_run", payload, delivery: `real-${fixture.name}`, secret: SECRET });
      if (res.status !== 200) throw new Error(`${fixture.name}: webhook answered ${res.status}`);
    }
    await done;
    const db = new DatabaseSync(path.join(dataDir, "patchwright.db"), { readOnly: true });
    try {
      return args.fixtures.map((fixture): RealRun => {
        const repo = `${OWNER}/${fixture.name}`;
        const pr = github.pulls.find((p) => p.repo === repo);
        const end = ended.get(repo);
        const job = db.prepare("SELECT id FROM jobs WHERE json_extract(payload, '$.repo.owner') || '/' || json_extract(payload, '$.repo.name') = ? ORDER BY id DESC LIMIT 1").get(repo) as { id: number } | undefined;
        const rows = job ? (db.prepare("SELECT kind, data FROM ledger WHERE job_id = ? ORDER BY id").all(job.id) as { kind: string; data: string }[]) : [];
        return {
          fixture,
          repo,
          ...(pr ? { pr: { number: pr.number, head: pr.head, body: pr.body, title: pr.title } } : {}),
          conclusion: end?.conclusion,
          summary: end?.summary ?? "",
          details: end?.details ?? "",
          elapsedMs: (end?.at ?? Date.now()) - (started.get(repo) ?? Date.now()),
          stages: stageBreakdown(rows),
        };
      });
    } finally {
      db.close();
    }
  } finally {
    await app.stop();
    await model.close();
    await github.close();
  }
}
