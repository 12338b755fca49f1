import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { describe, expect, it, vi } from "vitest";
import { createLlmClient } from "../../src/agent/create-llm-client.ts";
import { createOpenAiChatModel } from "../../src/agent/openai-chat-model.ts";
import { runAgent, type AgentResult } from "../../src/agent/run-agent.ts";
import { createRedactor } from "../../src/security/redact.ts";
import { startScriptedModel, toolCall } from "../support/scripted-model.ts";
import { JobCancelled } from "../../src/queue/job-cancelled.ts";
import type { JobPayload, JobRecord } from "../../src/queue/job.ts";
import { startWorker, type JobResult } from "../../src/queue/start-worker.ts";
import { describeBackends } from "./backends.ts";

const payload = (n: number): JobPayload => ({
  version: 1,
  kind: "fix-ci",
  installationId: 1,
  deliveryId: `d${n}`,
  repo: { owner: "o", name: "r", cloneUrl: "https://github.com/o/r.git", defaultBranch: "main" },
  trigger: { type: "ci", headSha: String(n).padStart(40, "0"), headBranch: "main", sources: [{ type: "workflow_run", runId: n, runUrl: "u", workflowName: "CI" }] },
});

const log = pino({ level: "silent" });

/** A `process` that runs until its signal aborts, then reports the job cancelled; `started` resolves with that signal. */
function untilAborted() {
  let started!: (signal: AbortSignal) => void;
  return {
    started: new Promise<AbortSignal>((resolve) => (started = resolve)),
    process: (_job: JobRecord, signal: AbortSignal) =>
      new Promise<JobResult>((resolve) => {
        signal.addEventListener("abort", () => resolve({ state: "cancelled", summary: String(signal.reason) }));
        started(signal);
      }),
  };
}

describeBackends((backend) => {
  describe("worker", () => {
    it("runs queued jobs in order and records their outcome", async () => {
      const queue = await backend.open();
      const seen: number[] = [];
      const worker = startWorker({
        queue,
        log,
        process: async (job): Promise<JobResult> => {
          const source = job.payload.trigger.type === "ci" ? job.payload.trigger.sources[0] : undefined;
          seen.push(source?.type === "workflow_run" ? source.runId : -1);
          return { state: "succeeded", summary: `ok ${job.id}` };
        },
        abandon: async () => {},
      });
      await queue.enqueue(payload(1), "a");
      await queue.enqueue(payload(2), "b");
      await worker.drained();
      await worker.stop();
      expect(seen).toEqual([1, 2]);
      expect((await queue.list()).map((j) => j.state)).toEqual(["succeeded", "succeeded"]);
    });

    it("reports, instead of rerunning forever, a job whose worker keeps dying", async () => {
      const queue = await backend.open();
      const { job } = await queue.enqueue(payload(1), "a");
      // Three workers died holding it: simulate with expired leases.
      for (let i = 0; i < 3; i++) {
        const leased = await queue.lease(`dead-${i}`, -1);
        expect(leased?.id).toBe(job.id);
      }
      const abandoned: [JobRecord, string][] = [];
      let processed = 0;
      const worker = startWorker({
        queue,
        log,
        process: async () => {
          processed++;
          return { state: "succeeded", summary: "" };
        },
        abandon: async (j, reason) => void abandoned.push([j, reason]),
      });
      await worker.drained();
      await worker.stop();
      expect(processed).toBe(0);
      expect(abandoned[0]?.[1]).toMatch(/stopped unexpectedly 3 times/);
      expect((await queue.get(job.id))?.state).toBe("failed");
    });

    it("resumes a job left running by a stopped worker", async () => {
      const queue = await backend.open();
      const { job } = await queue.enqueue(payload(1), "a");
      await queue.lease("dead", -1); // expired at once
      const attempts: number[] = [];
      const worker = startWorker({
        queue,
        log,
        process: async (j) => {
          attempts.push(j.attempts);
          return { state: "succeeded", summary: "" };
        },
        abandon: async () => {},
      });
      await worker.drained();
      await worker.stop();
      expect(attempts).toEqual([2]);
      expect((await queue.get(job.id))?.state).toBe("succeeded");
    });

    it("aborts a job when /agent stop is requested, with who asked as the reason", async () => {
      const queue = await backend.open();
      const { job } = await queue.enqueue(payload(1), "a");
      let reason: unknown;
      const worker = startWorker({
        queue,
        log,
        heartbeatMs: 10,
        process: (_job, signal) =>
          new Promise<JobResult>((resolve) => {
            void queue.requestCancel([job.id], "octocat");
            signal.addEventListener("abort", () => {
              reason = signal.reason;
              resolve({ state: "cancelled", summary: "stopped" });
            });
          }),
        abandon: async () => {},
      });
      await worker.drained();
      await worker.stop();
      expect(reason).toBeInstanceOf(JobCancelled);
      expect((reason as JobCancelled).by).toBe("octocat");
      expect((await queue.get(job.id))?.state).toBe("cancelled");
    });

    it("aborts a running job at the first default cancel poll (1 s) after /agent stop arrives through another process", async () => {
      const queue = await backend.open();
      const commands = await backend.open(); // the process whose webhook handler took `/agent stop`
      const { job } = await queue.enqueue(payload(1), "a");
      vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
      try {
        const held = untilAborted();
        // A 60 s lease: heartbeats every 20 s, so the only timer due within the second is the cancel poll.
        const worker = startWorker({ queue, log, leaseMs: 60_000, process: held.process, abandon: async () => {} });
        const signal = await held.started;
        const aborted = once(signal, "abort");
        expect(await commands.requestCancel([job.id], "octocat")).toMatchObject({ cancelled: [], flagged: [{ id: job.id }] });
        vi.advanceTimersByTime(999);
        expect(signal.aborted).toBe(false);
        vi.advanceTimersByTime(1); // the first cancel poll
        await aborted;
        expect(signal.reason).toBeInstanceOf(JobCancelled);
        expect((signal.reason as JobCancelled).by).toBe("octocat");
        await worker.drained();
        await worker.stop();
        expect((await commands.get(job.id))?.state).toBe("cancelled");
      } finally {
        vi.useRealTimers();
      }
    });

    it("aborts the running job on stop and leaves it to be run again", async () => {
      const queue = await backend.open();
      const { job } = await queue.enqueue(payload(1), "a");
      let started!: () => void;
      const running = new Promise<void>((r) => (started = r));
      const worker = startWorker({
        queue,
        log,
        process: (_job, signal) =>
          new Promise<JobResult>((resolve) => {
            started();
            signal.addEventListener("abort", () => resolve({ state: "retry", delayMs: 0, reason: "stopping" }));
          }),
        abandon: async () => {},
      });
      await running;
      await worker.stop();
      expect(await queue.get(job.id)).toMatchObject({ state: "queued", result: "stopping" });
    });

    it("stops a job blocked in a model call within one cancel poll (1 s), and no model request starts after it", async () => {
      const queue = await backend.open();
      const dir = mkdtempSync(path.join(tmpdir(), "pw-worker-"));
      vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
      let blocked!: () => void;
      const inModelCall = new Promise<void>((resolve) => (blocked = resolve));
      // The fixer's second model call never answers: it is "thinking" when `/agent stop` arrives.
      const model = await startScriptedModel([toolCall("list_files"), () => (blocked(), new Promise(() => {}))]);
      let agent: AgentResult | undefined;
      try {
        const { job } = await queue.enqueue(payload(1), "a");
        const worker = startWorker({
          queue,
          log,
          leaseMs: 60_000, // heartbeat every 20 s: a stop must not wait for it
          process: async (_job, signal) => {
            agent = await runAgent({
              model: createOpenAiChatModel(createLlmClient({ baseURL: model.baseURL, apiKey: "k", maxRetries: 0 })),
              modelName: "scripted",
              tools: { root: dir, sandbox: { root: dir, run: async () => Promise.reject(new Error("no commands here")) }, protectedPaths: [], redact: createRedactor([]) },
              system: "You fix builds.",
              user: "npm test fails.",
              limits: { maxTurns: 10, maxTokens: 100_000, deadlineMs: 600_000 },
              signal,
            });
            return signal.aborted ? { state: "cancelled", summary: String(signal.reason) } : { state: "failed", summary: agent.status };
          },
          abandon: async () => {},
        });
        await inModelCall;
        await queue.requestCancel([job.id], "octocat");
        vi.advanceTimersByTime(999);
        expect((await queue.get(job.id))?.state).toBe("running");
        vi.advanceTimersByTime(1); // the first cancel poll after the stop
        await worker.drained();
        await worker.stop();
        expect((await queue.get(job.id))?.state).toBe("cancelled");
        expect(agent).toMatchObject({ status: "cancelled", turns: 2 });
        // The call in flight was the last one: nothing reached the model after the stop.
        expect(model.requests).toHaveLength(2);
      } finally {
        vi.useRealTimers();
        await model.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
