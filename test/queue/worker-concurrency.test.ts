import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { SHUTDOWN } from "../../src/queue/job-cancelled.ts";
import type { JobRecord } from "../../src/queue/job.ts";
import { startWorker, type JobResult } from "../../src/queue/start-worker.ts";
import { describeBackends } from "./backends.ts";
import { ciPayload } from "./payloads.ts";

/** Several jobs at once in one worker: each with its own signal; stop aborts them all and waits. */

const log = pino({ level: "silent" });

/** A `process` whose jobs run until released (or aborted), reporting each start. */
function heldJobs() {
  const started: { job: JobRecord; signal: AbortSignal; release: (r: JobResult) => void }[] = [];
  let waiters: { count: number; resolve: () => void }[] = [];
  return {
    started,
    /** Resolves once `count` jobs have started. */
    until(count: number): Promise<void> {
      if (started.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    process(job: JobRecord, signal: AbortSignal): Promise<JobResult> {
      return new Promise<JobResult>((release) => {
        started.push({ job, signal, release });
        signal.addEventListener("abort", () => release({ state: "retry", delayMs: 0, reason: String(signal.reason) }));
        waiters = waiters.filter((w) => (started.length >= w.count ? (w.resolve(), false) : true));
      });
    },
  };
}

describeBackends((backend) => {
  describe("a worker running several jobs", () => {
    it("runs up to `concurrency` jobs at once, each with its own signal, and leases the next when one ends", async () => {
      const queue = await backend.open();
      const held = heldJobs();
      for (const n of [1, 2, 3]) await queue.enqueue(ciPayload({ sha: String(n), repoName: `r${n}` }), `k${n}`);
      const worker = startWorker({ queue, log, concurrency: 2, process: held.process, abandon: async () => {} });
      await held.until(2);
      expect(await queue.depth()).toEqual({ queued: 1, running: 2 });
      const [first, second] = held.started;
      expect(first?.signal).not.toBe(second?.signal);

      first?.release({ state: "succeeded", summary: "one" });
      await held.until(3);
      expect(held.started.map((s) => s.job.payload.repo.name)).toEqual(["r1", "r2", "r3"]);
      expect((await queue.get(first!.job.id))?.state).toBe("succeeded");

      const drained = worker.drained();
      held.started[1]?.release({ state: "succeeded", summary: "two" });
      held.started[2]?.release({ state: "failed", summary: "three" });
      await drained;
      expect(await queue.depth()).toEqual({ queued: 0, running: 0 });
      await worker.stop();
      expect((await queue.list()).map((j) => j.state)).toEqual(["succeeded", "succeeded", "failed"]);
    });

    it("stop aborts every running job with SHUTDOWN and waits until all are back in the queue", async () => {
      const queue = await backend.open();
      const held = heldJobs();
      for (const n of [1, 2, 3]) await queue.enqueue(ciPayload({ sha: String(n), repoName: `r${n}` }), `k${n}`);
      const worker = startWorker({ queue, log, concurrency: 3, process: held.process, abandon: async () => {} });
      await held.until(3);
      await worker.stop();
      expect(held.started.map((s) => s.signal.reason)).toEqual([SHUTDOWN, SHUTDOWN, SHUTDOWN]);
      // A run our own shutdown stopped is not counted: restarts never get a job abandoned.
      expect((await queue.list()).map((j) => [j.state, j.result, j.attempts])).toEqual([
        ["queued", SHUTDOWN, 0],
        ["queued", SHUTDOWN, 0],
        ["queued", SHUTDOWN, 0],
      ]);
    });

    it("keeps a repository at its cap: its second job waits while another repository's job runs", async () => {
      const queue = await backend.open();
      const held = heldJobs();
      await queue.enqueue(ciPayload({ sha: "1", repoName: "busy" }), "k1");
      await queue.enqueue(ciPayload({ sha: "2", repoName: "busy" }), "k2");
      await queue.enqueue(ciPayload({ sha: "3", repoName: "quiet" }), "k3");
      const worker = startWorker({ queue, log, concurrency: 3, caps: { perRepository: 1 }, process: held.process, abandon: async () => {} });
      await held.until(2);
      expect(held.started.map((s) => s.job.payload.repo.name)).toEqual(["busy", "quiet"]);
      expect(await queue.depth()).toEqual({ queued: 1, running: 2 });

      held.started[0]?.release({ state: "succeeded", summary: "" });
      await held.until(3);
      expect(held.started[2]?.job.payload.trigger).toMatchObject({ headSha: "2".repeat(40) });
      await worker.stop();
    });

    it("drained() waits for every running job, not only the first to end", async () => {
      const queue = await backend.open();
      const held = heldJobs();
      for (const n of [1, 2, 3]) await queue.enqueue(ciPayload({ sha: String(n), repoName: `r${n}` }), `k${n}`);
      const worker = startWorker({ queue, log, concurrency: 2, process: held.process, abandon: async () => {} });
      await held.until(2);
      let drained = false;
      const waiting = worker.drained().then(() => (drained = true));
      held.started[0]?.release({ state: "succeeded", summary: "" });
      // The third job starting proves the first one's end went through the loop; two still run.
      await held.until(3);
      expect(drained).toBe(false);
      held.started[1]?.release({ state: "succeeded", summary: "" });
      held.started[2]?.release({ state: "succeeded", summary: "" });
      await waiting;
      expect(await queue.depth()).toEqual({ queued: 0, running: 0 });
      await worker.stop();
    });
  });
});
