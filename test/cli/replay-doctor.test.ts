import { rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSqliteQueue } from "../../src/queue/sqlite-queue.ts";
import { ciPayload } from "../queue/payloads.ts";
import { startScriptedModel, type ScriptedModel } from "../support/scripted-model.ts";
import { TEST_PRIVATE_KEY } from "../support/test-probot.ts";
import { runPatchwright, tempDir } from "./helpers.ts";

let root: string;
let model: ScriptedModel;
let redis: Server;
let redisPort: number;

beforeAll(async () => {
  root = await tempDir("pw-cli-replay-");
  // The doctor's probe is answered by the scripted model outside its script.
  model = await startScriptedModel([]);
  redis = createServer((socket) => socket.on("data", (data) => socket.write(String(data).includes("PING") ? "+PONG\r\n" : "-ERR\r\n")));
  await new Promise<void>((resolve) => redis.listen(0, "127.0.0.1", resolve));
  redisPort = (redis.address() as { port: number }).port;
});

afterAll(async () => {
  await model?.close();
  await new Promise((resolve) => redis?.close(resolve));
  await rm(root, { recursive: true, force: true });
});

describe("patchwright replay", () => {
  it("renders a job of the app from the store: trigger, timeline, ending and the best attempt's diff", async () => {
    const dataDir = path.join(root, "app-data");
    const queue = openSqliteQueue({ dataDir });
    const { job } = await queue.enqueue(ciPayload({ sha: "c" }), "k1");
    await queue.lease("worker", 60_000);
    await queue.appendLedger(job.id, "evidence", { sha: "c".repeat(40), bytes: 10, failedJobs: [] });
    await queue.appendLedger(job.id, "reproduce", { verdict: "red", summary: "Reproduced: `npm test` fails here too (exit 1)." });
    await queue.appendLedger(job.id, "fixer1.agent.tool_call", { kind: "tool_call", turn: 1, callId: "c1", name: "edit_file", args: '{"path":"a.js"}', ok: true, result: "Edited a.js", durationMs: 3 });
    await queue.appendLedger(job.id, "report", { conclusion: "failure", title: "No verified fix", summary: "Patchwright could not produce a fix.", details: "Best attempt:\n\n```diff\n-old line\n+new line\n```\n" });
    await queue.finish(job.id, "worker", "failed", "no verified fix");
    await queue.close();

    const run = await runPatchwright(["replay", String(job.id)], { cwd: root, env: { PATCHWRIGHT_DATA_DIR: dataDir } });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Job ${job.id} · fix-ci · o/r · failed: no verified fix`);
    expect(run.stdout).toContain("Trigger: `ci` failed on `main` at ccccccc.");
    expect(run.stdout).toMatch(/reproduce\s+red: Reproduced/);
    expect(run.stdout).toContain("Report: No verified fix");
    expect(run.stdout).toContain("-old line\n  +new line");
    expect(run.stdout).toContain("fixer1 t1 ✓ edit_file");

    const json = await runPatchwright(["replay", "--json", String(job.id)], { cwd: root, env: { PATCHWRIGHT_DATA_DIR: dataDir } });
    expect(JSON.parse(json.stdout)).toMatchObject({ job: { id: job.id, state: "failed" }, ledger: expect.arrayContaining([expect.objectContaining({ kind: "reproduce" })]) });

    const missing = await runPatchwright(["replay", "999"], { cwd: root, env: { PATCHWRIGHT_DATA_DIR: dataDir } });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain("no job 999");
    const bad = await runPatchwright(["replay", "abc"], { cwd: root, env: { PATCHWRIGHT_DATA_DIR: dataDir } });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("expected one JOB-ID");
  });
});

describe("patchwright doctor", () => {
  it("checks everything and passes on a configured machine", async () => {
    const run = await runPatchwright(["doctor"], {
      cwd: root,
      env: {
        HOME: root,
        OPENAI_BASE_URL: model.baseURL,
        PATCHWRIGHT_MODEL: "scripted",
        PATCHWRIGHT_DATA_DIR: path.join(root, "doctor-data"),
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        APP_ID: "12",
        PRIVATE_KEY: TEST_PRIVATE_KEY,
        WEBHOOK_SECRET: "doctor-secret",
      },
    });
    expect(run.stdout).toMatch(/✓ git: git version/);
    expect(run.stdout).toMatch(/✓ bubblewrap: /);
    expect(run.stdout).toMatch(/✓ worker user: /);
    expect(run.stdout).toMatch(/✓ model: scripted at http:\/\/127\.0\.0\.1:\d+\/v1: .*tool calling works/);
    expect(run.stdout).toContain(`✓ data directory: ${path.join(root, "doctor-data")}`);
    expect(run.stdout).toMatch(/✓ redis: PONG from 127\.0\.0\.1:\d+/);
    expect(run.stdout).toContain("✓ GitHub App: app 12, private key readable");
    expect(run.exitCode, run.stdout).toBe(0);
  });

  it("says how to fix each problem, and exits 1", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const run = await runPatchwright(["doctor"], {
      cwd: root,
      env: { HOME: root, PATCHWRIGHT_DATA_DIR: path.join(root, "doctor-data"), REDIS_URL: `redis://127.0.0.1:${port}`, APP_ID: "12", PRIVATE_KEY: "not a key" },
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/✗ model: no model endpoint configured\n {4}fix: Set OPENAI_API_KEY/);
    expect(run.stdout).toMatch(/✗ redis: .*ECONNREFUSED.*\n {4}fix: Start Redis/);
    expect(run.stdout).toMatch(/✗ GitHub App: Missing configuration:\n {2}WEBHOOK_SECRET \(the App's webhook secret\)\n {4}fix: Copy the values/);
  });
});
