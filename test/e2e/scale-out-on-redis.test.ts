import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JobQueue } from "../../src/queue/job-queue.ts";
import { openRedisQueue } from "../../src/queue/redis-queue.ts";
import { startFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { RED_CALC_FILES } from "../support/calc-fixture.ts";
import { createFixtureRepo } from "../support/fixture-repo.ts";
import { issueCommentCreated } from "../support/payloads.ts";
import { startRedisServer, type RedisServer } from "../support/redis-server.ts";
import { conversationScript, startScriptedModel, toolCall, type ScriptedModel } from "../support/scripted-model.ts";
import { appEnv, sendWebhook, startAppProcess, type AppProcess } from "./app-process.ts";

/**
 * Scale-out as an operator deploys it: with `REDIS_URL`, a webhook server
 * that runs no jobs (`PATCHWRIGHT_CONCURRENCY=0`) and a separate worker
 * process (`npm run worker`, its own data directory, as on another machine)
 * share the queue in a real Redis. The worker answers `/agent explain`; the
 * app's dashboard shows the job from Redis.
 */

const SECRET = "e2e-redis-webhook-secret";
const MODEL_KEY = "sk-e2e-redis-key-0123456789abcdef";
const OPERATOR_TOKEN = "operator-token-0123456789abcdef-redis";
const REDIS_PASSWORD = "redis-password-0123456789abcdef";
const ROOT_CAUSE = "Root cause: `src/add.js:1` returns `a - b` instead of `a + b`.";

let root: string;
let redis: RedisServer;
let github: FakeGitHub;
let model: ScriptedModel;
let app: AppProcess;
let worker: AppProcess;
let queue: JobQueue;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), "pw-e2e-redis-"));
  redis = await startRedisServer(["--requirepass", REDIS_PASSWORD]);
  const redisUrl = `redis://:${REDIS_PASSWORD}@127.0.0.1:${redis.port}`;
  await createFixtureRepo({ root: path.join(root, "git"), owner: "octo-org", name: "calc", files: RED_CALC_FILES });
  github = await startFakeGitHub({ gitRoot: path.join(root, "git") });
  github.repos.set("octo-org/calc", {
    defaultBranch: "main",
    roles: { maintainer: "write" },
    runs: {},
    issues: { 5: { title: "add() gives wrong results", body: "add(2, 3) is -1." } },
  });
  model = await startScriptedModel(
    conversationScript((c) => {
      if (c.role !== "investigator") return undefined;
      return [toolCall("finish", { summary: `${ROOT_CAUSE}\nFiles: src/add.js\nConfidence: high` })][c.turn];
    }),
  );
  const env = (dataDir: string) => ({
    ...appEnv({ githubHost: github.host, modelBaseURL: model.baseURL, webhookSecret: SECRET, modelKey: MODEL_KEY, dataDir: path.join(root, dataDir) }),
    REDIS_URL: redisUrl,
    PATCHWRIGHT_OPERATOR_TOKEN: OPERATOR_TOKEN,
  });
  app = await startAppProcess({ ...env("app-data"), PATCHWRIGHT_CONCURRENCY: "0" });
  worker = await startAppProcess({ ...env("worker-data"), PATCHWRIGHT_CONCURRENCY: "1" }, { args: ["worker"] });
  queue = await openRedisQueue({ url: redisUrl });
});

afterAll(async () => {
  await queue?.close();
  await app?.stop();
  await worker?.stop();
  await model?.close();
  await github?.close();
  await redis?.close();
  rmSync(root, { recursive: true, force: true });
});

describe("workers on Redis", () => {
  it("a job taken by the webhook server is run by a separate worker process", async () => {
    expect(app.logs.join("\n")).toMatch(/"role":"app","queue":"redis"/);
    expect(worker.logs.join("\n")).toMatch(/"role":"worker","queue":"redis"/);
    // The worker takes no webhooks.
    expect((await fetch(`${worker.url}/api/github/webhooks`, { method: "POST" })).status).toBe(404);
    expect((await fetch(`${worker.url}/healthz`)).status).toBe(200);

    const res = await sendWebhook(app.url, {
      name: "issue_comment",
      payload: issueCommentCreated({ owner: "octo-org", name: "calc", baseUrl: github.url, body: "/agent explain", author: "maintainer", issueNumber: 5, commentId: 51, installationId: 42 }),
      delivery: "redis-explain-1",
      secret: SECRET,
    });
    expect(res.status).toBe(200);
    await github.waitFor((r) => r.method === "PATCH" && /\/issues\/comments\/\d+$/.test(r.path) && JSON.stringify(r.body).includes("Diagnosis"));
    expect(github.comments.find((c) => c.issue === 5)?.body).toContain(ROOT_CAUSE);

    // In Redis, finished, run by the worker process and not by the webhook server.
    const job = await finished("redis-explain-1");
    expect(job).toMatchObject({ state: "succeeded", payload: { kind: "explain", deliveryId: "redis-explain-1" } });
    expect(await queue.hasDelivery("redis-explain-1")).toBe(true);
    const ran = (logs: string[]) => logs.some((line) => line.includes(`"jobId":${job?.id}`) && line.includes("job done"));
    expect(ran(worker.logs)).toBe(true);
    expect(ran(app.logs)).toBe(false);

    // The operator sees it on the app's dashboard, read from Redis.
    const page = await fetch(`${app.url}/patchwright/jobs/${job?.id}`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("octo-org/calc");
  });

  it("keeps the Redis password and the operator token out of every log line", () => {
    for (const line of [...app.logs, ...worker.logs]) {
      expect(line).not.toContain(OPERATOR_TOKEN);
      expect(line).not.toContain(REDIS_PASSWORD);
      expect(line).not.toContain(MODEL_KEY);
    }
  });
});

/** The job of a delivery once it has finished (the comment is edited just before), polled with a deadline. */
async function finished(deliveryId: string) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const job = (await queue.list()).find((j) => j.payload.deliveryId === deliveryId);
    if (job && job.state !== "queued" && job.state !== "running") return job;
    if (Date.now() > deadline) throw new Error(`job of ${deliveryId} did not finish within 30 s: ${JSON.stringify(job)}`);
    await new Promise<void>((resolve) => setTimeout(resolve, 50));
  }
}
