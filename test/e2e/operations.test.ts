import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterAll, expect, it } from "vitest";
import { SHUTDOWN } from "../../src/queue/job-cancelled.ts";
import { openSqliteQueue } from "../../src/queue/sqlite-queue.ts";
import { RED_CALC_FILES } from "../support/calc-fixture.ts";
import { startFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { createFixtureRepo, readBranchSha } from "../support/fixture-repo.ts";
import { workflowRunCompleted } from "../support/payloads.ts";
import { conversationScript, startScriptedModel, toolCall, type ScriptStep } from "../support/scripted-model.ts";
import { appEnv, sendWebhook } from "./app-process.ts";

/**
 * What an operator sees of a running app (a separate process, as `npm start`
 * runs it): `/readyz`, `/metrics` after one job, and SIGTERM while a job runs:
 * the process exits 0 and the job is back in the queue, nothing pushed.
 */

const SECRET = "e2e-webhook-secret-value";
const root = mkdtempSync(path.join(tmpdir(), "pw-e2e-ops-"));
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(root, { recursive: true, force: true });
});

/** `node src/main.ts`, like app-process.ts, but keeping the exit code. */
async function startApp(env: Record<string, string>) {
  const child = spawn(process.execPath, ["src/main.ts"], {
    cwd: path.resolve(import.meta.dirname, "../.."),
    env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "/tmp", LOG_LEVEL: "info", PORT: "0", HOST: "127.0.0.1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  let watchers: { pattern: RegExp; resolve: () => void }[] = [];
  /** Resolves once the app logs a line matching `pattern` (already logged included). */
  const logged = (pattern: RegExp) =>
    logs.some((line) => pattern.test(line)) ? Promise.resolve() : new Promise<void>((resolve) => watchers.push({ pattern, resolve }));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null) child.kill("SIGKILL");
    await exited;
  });
  const url = await new Promise<string>((resolve, reject) => {
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on("line", (line) => {
        logs.push(line);
        watchers = watchers.filter((w) => (w.pattern.test(line) ? (w.resolve(), false) : true));
        const port = /"port":(\d+).*patchwright listening/.exec(line)?.[1];
        if (port) resolve(`http://127.0.0.1:${port}`);
      });
    }
    void exited.then((code) => reject(new Error(`app exited with ${code} before listening:\n${logs.join("\n")}`)));
  });
  return { url, logs, logged, exited, terminate: () => child.kill("SIGTERM") };
}

/** The value of one sample of the exposition, e.g. `patchwright_jobs_total{kind="fix-ci",outcome="succeeded"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

it("serves readiness and metrics, and on SIGTERM puts the running job back and exits 0", async () => {
  const gitRoot = path.join(root, "git");
  const fixed = await createFixtureRepo({ root: gitRoot, owner: "o", name: "calc", files: RED_CALC_FILES });
  const held = await createFixtureRepo({ root: gitRoot, owner: "o", name: "held", files: RED_CALC_FILES });
  const github: FakeGitHub = await startFakeGitHub({ gitRoot });
  cleanups.push(() => github.close());
  github.repos.set("o/calc", { defaultBranch: "main", roles: {}, runs: { 5: [] }, issues: {} });
  github.repos.set("o/held", { defaultBranch: "main", roles: {}, runs: { 6: [] }, issues: {} });

  let reached!: () => void;
  const modelReached = new Promise<void>((resolve) => (reached = resolve));
  // o/held's investigator never gets an answer: its job is running when SIGTERM comes.
  const hang: ScriptStep = () => {
    reached();
    return new Promise(() => {});
  };
  const fixer = [toolCall("edit_file", { path: "src/add.js", old_string: "a - b", new_string: "a + b" }), toolCall("finish", { summary: "add() now adds." })];
  const model = await startScriptedModel(
    conversationScript((c) => {
      if (c.repository.includes("held")) return hang;
      return c.role === "investigator" ? toolCall("finish", { summary: "Root cause: add subtracts." }) : fixer[c.turn];
    }),
  );
  cleanups.push(() => model.close());

  const dataDir = path.join(root, "data");
  const env = { ...appEnv({ githubHost: github.host, modelBaseURL: model.baseURL, webhookSecret: SECRET, modelKey: "sk-e2e-model-key-0123456789abcdef", dataDir }), PATCHWRIGHT_COALESCE_MS: "0" };
  const app = await startApp(env);

  const health = await fetch(`${app.url}/healthz`);
  expect(await health.json()).toEqual({ ok: true });
  const ready = await fetch(`${app.url}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toEqual({ ready: true, checks: { store: "ok", sandbox: "ok", model: "ok" } });

  // One job to its pull request, then its numbers.
  const pulled = once(github.events, "pull");
  const first = workflowRunCompleted({ owner: "o", name: "calc", baseUrl: github.url, headSha: fixed.sha, runId: 5 });
  expect((await sendWebhook(app.url, { name: "workflow_run", payload: first, delivery: "ops-1", secret: SECRET })).status).toBe(200);
  await pulled;
  // The worker logs "job done" after the job's outcome is counted.
  await app.logged(/"repo":"o\/calc".*"msg":"job done"/);
  const text = await (await fetch(`${app.url}/metrics`)).text();
  expect(sample(text, 'patchwright_jobs_total{kind="fix-ci",outcome="succeeded"}')).toBe(1);
  expect(sample(text, 'patchwright_job_duration_seconds_count{kind="fix-ci"}')).toBe(1);
  expect(sample(text, 'patchwright_model_tokens_total{model="scripted"}')).toBeGreaterThan(0);
  expect(text).toMatch(/^# TYPE patchwright_model_cost_usd_total counter$/m);
  expect(sample(text, 'patchwright_webhook_duration_seconds_count{event="workflow_run",status="200"}')).toBe(1);
  expect(sample(text, 'patchwright_queue_jobs{state="queued"}')).toBe(0);
  expect(sample(text, 'patchwright_queue_jobs{state="running"}')).toBe(0);
  expect(sample(text, "patchwright_sandbox_failures_total")).toBe(0);

  // A second job, held at the model; SIGTERM.
  const second = workflowRunCompleted({ owner: "o", name: "held", baseUrl: github.url, headSha: held.sha, runId: 6 });
  expect((await sendWebhook(app.url, { name: "workflow_run", payload: second, delivery: "ops-2", secret: SECRET })).status).toBe(200);
  await modelReached;
  app.terminate();
  expect(await app.exited).toBe(0);
  expect(app.logs.join("\n")).toMatch(/"msg":"stopped"/);

  const queue = openSqliteQueue({ dataDir });
  try {
    const heldJob = (await queue.list()).find((j) => j.payload.repo.name === "held");
    expect(heldJob).toMatchObject({ state: "queued", result: SHUTDOWN, attempts: 0 });
  } finally {
    await queue.close();
  }
  expect(github.pulls.map((p) => p.repo)).toEqual(["o/calc"]);
  expect(await readBranchSha(held.bareDir, `patchwright/fix-${held.sha.slice(0, 7)}`)).toBeNull();
});
