import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import type { Probot } from "probot";
import { Registry } from "prom-client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ChatModel } from "../../src/agent/chat-model.ts";
import { loadEnv } from "../../src/config/env.ts";
import { createPipelineDeps } from "../../src/create-pipeline-deps.ts";
import { createMetrics, type Metrics } from "../../src/metrics/create-metrics.ts";
import { observeWebhooks } from "../../src/metrics/observe-webhooks.ts";
import { openSqliteQueue, type JobQueue } from "../../src/queue/sqlite-queue.ts";
import { TEST_PRIVATE_KEY } from "../support/test-probot.ts";
import { ciPayload } from "../queue/payloads.ts";

let dir: string;
let queue: JobQueue;
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "pw-metrics-"));
  queue = openSqliteQueue({ dataDir: dir });
});
afterEach(async () => {
  await queue.close();
  rmSync(dir, { recursive: true, force: true });
});

const metricsOf = (registry = new Registry()) => createMetrics({ registry, queueDepth: () => queue.depth(), processMetrics: false });
const textOf = async (metrics: Metrics) => (await metrics.exposition()).text;

describe("metrics", () => {
  it("counts jobs by kind and outcome, times them by kind, and reads the queue's depth at each scrape", async () => {
    const metrics = metricsOf();
    metrics.jobEnded("fix-ci", "succeeded", 42);
    metrics.jobEnded("fix-ci", "retry", 3);
    metrics.jobEnded("bump-dependency", "failed", 700);
    await queue.enqueue(ciPayload(), "k");
    const text = await textOf(metrics);
    expect(text).toContain('patchwright_jobs_total{kind="fix-ci",outcome="succeeded"} 1');
    expect(text).toContain('patchwright_jobs_total{kind="fix-ci",outcome="retry"} 1');
    expect(text).toContain('patchwright_jobs_total{kind="bump-dependency",outcome="failed"} 1');
    expect(text).toContain('patchwright_job_duration_seconds_bucket{le="60",kind="fix-ci"} 2');
    expect(text).toContain('patchwright_job_duration_seconds_count{kind="bump-dependency"} 1');
    expect(text).toContain('patchwright_queue_jobs{state="queued"} 1');
    expect(text).toContain('patchwright_queue_jobs{state="running"} 0');
  });

  it("keeps each app's metrics in its own registry, never the global one", async () => {
    const a = metricsOf();
    const b = metricsOf();
    a.sandboxFailed();
    expect(await textOf(a)).toContain("patchwright_sandbox_failures_total 1");
    expect(await textOf(b)).toContain("patchwright_sandbox_failures_total 0");
    const { register } = await import("prom-client");
    expect(register.getSingleMetric("patchwright_jobs_total")).toBeUndefined();
  });

  it("times webhook requests by event and status, with no label taken from an unverified request", async () => {
    const metrics = metricsOf();
    const inner = (req: IncomingMessage, res: ServerResponse) => void res.writeHead(req.headers["x-hub-signature-256"] ? 200 : 400).end();
    const observed = observeWebhooks(inner, metrics);
    const server = createServer((req, res) => void observed(req, res));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`;
    try {
      await (await fetch(url, { method: "POST", headers: { "x-github-event": "workflow_run", "x-hub-signature-256": "sha256=x" } })).text();
      await (await fetch(url, { method: "POST", headers: { "x-github-event": "made_up_by_anyone_" + "x".repeat(40) } })).text();
    } finally {
      server.close();
    }
    const text = await textOf(metrics);
    expect(text).toContain('patchwright_webhook_duration_seconds_count{event="workflow_run",status="200"} 1');
    expect(text).toContain('patchwright_webhook_duration_seconds_count{event="invalid",status="400"} 1');
    expect(text).not.toContain("made_up");
  });

  it("counts spend and sandbox failures where the pipeline records them (create-pipeline-deps)", async () => {
    const loaded = loadEnv({ APP_ID: "1", PRIVATE_KEY: TEST_PRIVATE_KEY, WEBHOOK_SECRET: "s3cret-value", OPENAI_API_KEY: "sk-abc", PATCHWRIGHT_MODEL: "m-1", PATCHWRIGHT_DATA_DIR: dir }, dir);
    if (loaded.mode !== "app") throw new Error("expected the app's environment");
    const metrics = metricsOf();
    const deps = createPipelineDeps({
      env: loaded.env,
      probot: {} as Probot,
      queue,
      model: {} as ChatModel,
      log: pino({ level: "silent" }),
      redact: (text) => text,
      metrics,
    });
    deps.usage.record(1, "o/r", 1_500, 0.25);
    deps.usage.record(1, "o/r", 500, 0.05);
    deps.ledger(1, "error", { code: "sandbox_unavailable", message: "bwrap is not installed" });
    deps.ledger(1, "error", { code: "github", message: "502" });
    const text = await textOf(metrics);
    expect(text).toContain('patchwright_model_tokens_total{model="m-1"} 2000');
    expect(text).toMatch(/patchwright_model_cost_usd_total\{model="m-1"\} 0\.3\d*/);
    expect(text).toContain("patchwright_sandbox_failures_total 1");
    expect(await queue.usageSince("o/r", 0)).toEqual({ tokens: 2_000, costUsd: 0.3 });
  });
});
