/**
 * The dashboard on a real `node:http` server on 127.0.0.1, over a real SQLite
 * queue in a temporary directory, with four jobs whose ledgers look like the
 * pipeline's. Job 4 holds repository text built to break out of HTML.
 */
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDashboardRoutes } from "../../src/dashboard/dashboard-routes.ts";
import type { JobQueue } from "../../src/queue/job-queue.ts";
import type { JobPayload } from "../../src/queue/job.ts";
import { openSqliteQueue } from "../../src/queue/sqlite-queue.ts";
import { createRedactor } from "../../src/security/redact.ts";
import { advisoryPayload, ciPayload, commentPayload } from "../queue/payloads.ts";

export const OPERATOR_TOKEN = "op-token-6c1f0b8e2d7a4f95b3e1c0d9a8f7e6d5";
/** A GitHub token shape: the redactor must hide it wherever it appears. */
export const LEAKED_SECRET = `ghp_${"A1b2C3d4E5".repeat(4)}`;
/** Ran if any of the repository's text were taken for markup. */
export const PLANTED_SCRIPT = `<script>document.title="pwned";globalThis.pwned=1</script>`;
export const PLANTED_IMG = `"><img src=x onerror="globalThis.pwned=2">`;
export const START = Date.UTC(2025, 4, 1, 9, 30);

export interface Dashboard {
  url: string;
  queue: JobQueue;
  dir: string;
  clock: { now: number };
  /** Job ids: `succeeded` (o/web), `failed` (o/api), `running` (advisory), `queued` (o/web, the full ledger). */
  ids: { succeeded: number; failed: number; running: number; queued: number };
  close(): Promise<void>;
}

export async function startDashboard(options: { operatorToken?: string | undefined } = {}): Promise<Dashboard> {
  const dir = await mkdtemp(path.join(tmpdir(), "pw-dashboard-"));
  const clock = { now: START };
  const queue = openSqliteQueue({ dataDir: dir, now: () => clock.now });
  const ids = await seedJobs(queue, clock);
  const routes = createDashboardRoutes({
    queue,
    operatorToken: "operatorToken" in options ? options.operatorToken : OPERATOR_TOKEN,
    redact: createRedactor([OPERATOR_TOKEN]),
    now: () => clock.now,
  });
  const server: Server = createServer((req, res) => {
    if (!routes(req, res)) res.writeHead(418, { "content-type": "text/plain" }).end("not the dashboard");
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    queue,
    dir,
    clock,
    ids,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await queue.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function seedJobs(queue: JobQueue, clock: { now: number }) {
  const tick = (seconds: number) => (clock.now += seconds * 1000);
  const ledger = async (id: number, kind: string, data: unknown, seconds = 2) => {
    tick(seconds);
    await queue.appendLedger(id, kind, data);
  };

  const succeeded = (await queue.enqueue(ciPayload({ sha: "a", repoName: "web" }), "k-1")).job.id;
  await queue.lease("worker-1", 600_000);
  await ledger(succeeded, "evidence", { sha: "a".repeat(40), bytes: 2048, failedJobs: ["test"] });
  await ledger(succeeded, "deliver", { number: 7, url: "https://github.com/o/web/pull/7", branch: "patchwright/fix-aaaaaaa", patch: "--- a/x.js\n+++ b/x.js\n@@ -1 +1 @@\n-a\n+b\n" });
  tick(60);
  await queue.finish(succeeded, "worker-1", "succeeded", "https://github.com/o/web/pull/7");

  tick(300);
  const failed = (await queue.enqueue(commentPayload(7, { repoName: "api" }), "k-2")).job.id;
  await queue.lease("worker-1", 600_000);
  await ledger(failed, "report", { conclusion: "failure", title: "No verified fix", summary: "Patchwright could not produce a fix.", details: "Best attempt:\n\n```diff\n-old\n+new\n```\n" });
  await queue.finish(failed, "worker-1", "failed", "no verified fix");

  tick(300);
  const running = (await queue.enqueue(advisoryPayload("lodash"), "k-3")).job.id;
  await queue.lease("worker-2", 600_000);
  await ledger(running, "start", { attempt: 1, package: "lodash", ghsa: "GHSA-35jh-r3h4-6jhm" });

  tick(300);
  const queued = (await queue.enqueue(hostilePayload(), "k-4")).job.id;
  await queue.lease("worker-1", 600_000);
  await seedFullLedger(queued, ledger);
  await queue.retryLater(queued, "worker-1", 3_600_000, `github_unavailable: GitHub answered 502 <b>bold</b> ${LEAKED_SECRET}`);
  return { succeeded, failed, running, queued };
}

/** A CI failure on a pull request whose branch name is markup. */
function hostilePayload(): JobPayload {
  const base = ciPayload({ sha: "b", repoName: "web", pr: 12 });
  if (base.trigger.type !== "ci") throw new Error("ciPayload makes CI payloads");
  return { ...base, deliveryId: "3f6c9e10-2b7d-11f0-9d1a-5a1b2c3d4e5f", trigger: { ...base.trigger, headBranch: `feature/x${PLANTED_IMG}` } };
}

type Append = (id: number, kind: string, data: unknown, seconds?: number) => Promise<void>;

/** One run of a fix job, stage by stage, as the pipeline records it. */
async function seedFullLedger(id: number, ledger: Append) {
  const sha = "b".repeat(40);
  await ledger(id, "ack", { checkRunId: 4242 });
  await ledger(id, "evidence", { sha, bytes: 18_312, failedJobs: ["test (20.x)"] });
  await ledger(id, "workspace", { sha, isolation: "bubblewrap", notes: [] });
  await ledger(id, "stage", { stage: "Opening a workspace", ms: 212, alongside: true }, 0);
  await ledger(id, "stage", { stage: "Gathering evidence", ms: 1_840 }, 0);
  await ledger(id, "toolchain", { durationMs: 812, requests: [], tools: [{ tool: "node", version: "20.11.1", cached: true, durationMs: 3 }], missing: [], notes: [] }, 4);
  await ledger(id, "reproduce", {
    exact: true,
    verdict: "red",
    summary: "Reproduced: `npm test` fails here too (exit 1).",
    run: { steps: [{ name: "npm ci", command: "npm ci", exitCode: 0, durationMs: 9_000 }, { name: "npm test", command: "npm test", exitCode: 1, durationMs: 4_100 }] },
  }, 20);
  await ledger(id, "investigator.agent.model_call", { kind: "model_call", turn: 1, latencyMs: 2100, promptTokens: 5_210, completionTokens: 320, usageEstimated: false, text: `Looking at the failing test. ${PLANTED_IMG}`, toolCalls: ["read_file"] });
  await ledger(id, "investigator.agent.tool_call", { kind: "tool_call", turn: 1, callId: "c1", name: "read_file", args: '{"path":"src/sum.js"}', ok: true, result: `export const sum = (a, b) => a - b; // </pre>${PLANTED_SCRIPT}`, durationMs: 2 });
  await ledger(id, "investigator.agent.tool_call", { kind: "tool_call", turn: 2, callId: "c2", name: "run_command", args: '{"command":"npm test -- sum"}', ok: true, result: "$ npm test -- sum\nexit code 1 in 1.2s\nExpected 3, received -1", durationMs: 1_200 });
  await ledger(id, "investigator.agent.model_call", { kind: "model_call", turn: 2, latencyMs: 1800, promptTokens: 6_020, completionTokens: 410, usageEstimated: false, text: null, toolCalls: ["finish"] });
  await ledger(id, "diagnosis", { status: "done", summary: `sum() subtracts instead of adding (src/sum.js:1). ${PLANTED_SCRIPT}\nFix: use a + b. Token seen in the log: ${LEAKED_SECRET}`, usage: { promptTokens: 11_230, completionTokens: 730 } });
  await ledger(id, "fixer1.agent.model_call", { kind: "model_call", turn: 1, latencyMs: 2500, promptTokens: 7_100, completionTokens: 260, usageEstimated: false, text: "Change the operator.", toolCalls: ["edit_file"] });
  await ledger(id, "fixer1.agent.tool_call", { kind: "tool_call", turn: 1, callId: "c3", name: "edit_file", args: '{"path":"src/sum.js","old_string":"a - b","new_string":"a + b"}', ok: true, result: "Edited src/sum.js", durationMs: 4 });
  await ledger(id, "fixer2.agent.tool_call", { kind: "tool_call", turn: 1, callId: "c4", name: "run_command", args: '{"command":"git push origin HEAD"}', ok: false, result: "the command policy refused `git push origin HEAD`, so nothing was run: git push is not allowed.", durationMs: 0 });
  await ledger(id, "fixer2.agent.model_call", { kind: "model_call", turn: 1, latencyMs: 2300, promptTokens: 7_050, completionTokens: 300, reasoningTokens: 120, usageEstimated: false, text: "Edit the test expectation instead.", toolCalls: ["edit_file"] });
  await ledger(id, "candidate", { index: 1, status: "done", passed: true, changedLines: 2, problems: [], verifyMs: 5_300 }, 15);
  await ledger(id, "candidate", { index: 2, status: "done", passed: false, changedLines: 2, problems: ["test tampering: test/sum.test.js changed an expectation"], verifyMs: 5_100 });
  await ledger(id, "deliver", {
    number: 12,
    url: "https://github.com/o/web/pull/12",
    branch: "patchwright/fix-bbbbbbb",
    patch: `diff --git a/src/sum.js b/src/sum.js\n--- a/src/sum.js\n+++ b/src/sum.js\n@@ -1 +1,2 @@\n-export const sum = (a, b) => a - b;\n+export const sum = (a, b) => a + b;\n+// ${PLANTED_SCRIPT}\n+// ${PLANTED_IMG}\n`,
  }, 6);
  await ledger(id, "error", { code: "github_unavailable", message: "GitHub answered 502 while reporting" });
}
