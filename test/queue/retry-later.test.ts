import { describe, expect, it } from "vitest";
import type { JobQueue } from "../../src/queue/job-queue.ts";
import { describeBackends } from "./backends.ts";
import { fakeClock, type FakeClock } from "./fake-clock.ts";
import { ciPayload } from "./payloads.ts";

/** A running job put back for later (a transient failure, a shutdown): due after its delay, by the queue's clock. */

describeBackends((backend) => {
  let clock: FakeClock;
  const open = async (): Promise<JobQueue> => {
    clock = fakeClock();
    return backend.open({ now: clock.now });
  };

  describe("retryLater", () => {
    it("is not due a moment before its delay, and is due at it, delay after growing delay", async () => {
      const q = await open();
      const { job } = await q.enqueue(ciPayload(), "k");
      expect(await q.lease("w", 60_000)).toMatchObject({ id: job.id, attempts: 1 });
      for (const [attempt, delayMs] of [[2, 1_000], [3, 4_000], [4, 16_000]] as const) {
        await q.retryLater(job.id, "w", delayMs, `GitHub 502 (${attempt - 1})`);
        expect(await q.get(job.id)).toMatchObject({ state: "queued", result: `GitHub 502 (${attempt - 1})` });
        clock.advance(delayMs - 1);
        expect(await q.lease("w", 60_000)).toBeNull();
        clock.advance(1);
        expect(await q.lease("w", 60_000)).toMatchObject({ id: job.id, state: "running", attempts: attempt });
      }
    });

    it("counts a job put back as waiting, and live, until it is due", async () => {
      const q = await open();
      const { job } = await q.enqueue(ciPayload(), "k");
      await q.lease("w", 60_000);
      await q.retryLater(job.id, "w", 30_000, "rate limited");
      expect(await q.depth()).toEqual({ queued: 1, running: 0 });
      expect((await q.live()).map((j) => [j.id, j.state])).toEqual([[job.id, "queued"]]);
      expect(await q.leases()).toEqual([]);
      // Still the live job of its key: a redelivery does not make a second one.
      expect(await q.enqueueUnlessLive(ciPayload(), "k")).toMatchObject({ created: false, job: { id: job.id } });
    });

    it("gives the attempt back with uncountRun, and keeps it without", async () => {
      const q = await open();
      const { job } = await q.enqueue(ciPayload(), "k");
      await q.lease("w", 60_000);
      await q.retryLater(job.id, "w", 0, "worker shutting down", { uncountRun: true });
      expect(await q.get(job.id)).toMatchObject({ state: "queued", attempts: 0 });
      expect(await q.lease("w", 60_000)).toMatchObject({ id: job.id, attempts: 1 });
      await q.retryLater(job.id, "w", 0, "GitHub 502");
      expect(await q.get(job.id)).toMatchObject({ state: "queued", attempts: 1 });
      expect(await q.lease("w", 60_000)).toMatchObject({ id: job.id, attempts: 2 });
      await q.retryLater(job.id, "w", 0, "worker shutting down", { uncountRun: false });
      expect(await q.lease("w", 60_000)).toMatchObject({ id: job.id, attempts: 3 });
    });

    it("puts a job back only for its lease holder", async () => {
      const q = await open();
      const other = await backend.open({ now: clock.now });
      const { job } = await q.enqueue(ciPayload(), "k");
      await q.lease("holder", 60_000);
      await other.retryLater(job.id, "stranger", 0, "not mine", { uncountRun: true });
      expect(await other.get(job.id)).toMatchObject({ state: "running", attempts: 1, result: null });
      expect(await other.leases()).toEqual([{ id: job.id, owner: "holder" }]);
      expect(await other.lease("stranger", 60_000)).toBeNull();
    });
  });
});
