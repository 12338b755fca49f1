import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { JobRecord } from "../../src/queue/job.ts";
import { startWorker, type JobResult } from "../../src/queue/start-worker.ts";
import { describeBackends } from "./backends.ts";
import { ciPayload } from "./payloads.ts";

/** Speculative preparation: a worker with a free slot prepares the jobs that wait, once each, and never runs them early. */

const log = pino({ level: "silent" });

/** A `prepare` that records each call and lets the test wait for the n-th. */
function recordedPrepare(fail: (job: JobRecord) => boolean = () => false) {
  const calls: JobRecord[] = [];
  let waiters: { count: number; resolve: () => void }[] = [];
  return {
    calls,
    until(count: number): Promise<void> {
      if (calls.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    async prepare(job: JobRecord): Promise<void> {
      calls.push(job);
      waiters = waiters.filter((w) => (calls.length >= w.count ? (w.resolve(), false) : true));
      if (fail(job)) throw new Error("the mirror is unreachable");
    },
  };
}

describeBackends((backend) => {
  describe("a worker preparing waiting jobs", () => {
    it("prepares each job that waits out its delay once, and runs none of them before it is due", async () => {
      const queue = await backend.open();
      const prepared = recordedPrepare();
      const ran: number[] = [];
      const process = async (job: JobRecord): Promise<JobResult> => (ran.push(job.id), { state: "succeeded", summary: "done" });
      const worker = startWorker({ queue, log, concurrency: 1, pollMs: 20, process, abandon: async () => {}, prepare: prepared.prepare });
      const first = (await queue.enqueue(ciPayload({ sha: "1" }), "k1", { delayMs: 60_000 })).job;
      await prepared.until(1);
      const second = (await queue.enqueue(ciPayload({ sha: "2" }), "k2", { delayMs: 60_000 })).job;
      await prepared.until(2);
      // Many more passes of the loop (each wake-up, each poll) prepare nothing twice.
      for (let i = 0; i < 5; i += 1) await queue.enqueue(ciPayload({ sha: String(3 + i) }), `due-${i}`);
      await worker.drained();
      await worker.stop();
      // A due job may be prepared too if a pass lists it just before its lease (harmless); none twice.
      const ids = prepared.calls.map((job) => job.id);
      expect(ids.slice(0, 2)).toEqual([first.id, second.id]);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ran).not.toContain(first.id);
      expect(ran).not.toContain(second.id);
      expect((await queue.get(first.id))?.state).toBe("queued");
    });

    it("leases a delayed job when it becomes due, not at the next poll", async () => {
      const queue = await backend.open();
      let ran!: (job: JobRecord) => void;
      const running = new Promise<JobRecord>((resolve) => (ran = resolve));
      const process = async (job: JobRecord): Promise<JobResult> => (ran(job), { state: "succeeded", summary: "done" });
      // A poll far beyond the test's timeout: only the due-time wake-up can start the job.
      const worker = startWorker({ queue, log, concurrency: 1, pollMs: 10 * 60_000, process, abandon: async () => {} });
      const { job } = await queue.enqueue(ciPayload({ sha: "1" }), "k1", { delayMs: 300 });
      expect((await running).id).toBe(job.id);
      expect(Date.now()).toBeGreaterThanOrEqual(job.runAfter);
      await worker.stop();
    });

    it("a failed preparation costs nothing but the head start: the job still runs when due", async () => {
      const queue = await backend.open();
      const prepared = recordedPrepare(() => true);
      const ran: number[] = [];
      const process = async (job: JobRecord): Promise<JobResult> => (ran.push(job.id), { state: "succeeded", summary: "done" });
      const worker = startWorker({ queue, log, concurrency: 1, pollMs: 20, process, abandon: async () => {}, prepare: prepared.prepare });
      const { job } = await queue.enqueue(ciPayload({ sha: "1" }), "k1", { delayMs: 1 });
      await worker.drained();
      await worker.stop();
      expect(ran).toEqual([job.id]);
      expect((await queue.get(job.id))?.state).toBe("succeeded");
    });
  });
});
