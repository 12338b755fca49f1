import { describe, expect, it } from "vitest";
import type { JobQueue } from "../../src/queue/job-queue.ts";
import { describeBackends } from "./backends.ts";
import { fakeClock, type FakeClock } from "./fake-clock.ts";
import { advisoryPayload, ciPayload, commentPayload } from "./payloads.ts";

/** What the queue tells about its jobs (metrics, readiness, the dashboard, `/agent status`), from any connection. */

describeBackends((backend) => {
  let clock: FakeClock;
  const openTwo = async (): Promise<[JobQueue, JobQueue]> => {
    clock = fakeClock();
    return [await backend.open({ now: clock.now }), await backend.open({ now: clock.now })];
  };

  describe("depth, live, list and get", () => {
    it("counts waiting jobs, due or not, and running ones; finished and cancelled ones not at all", async () => {
      const [q, other] = await openTwo();
      expect(await other.depth()).toEqual({ queued: 0, running: 0 });
      const a = (await q.enqueue(ciPayload({ sha: "a" }), "k1")).job;
      await q.enqueue(ciPayload({ sha: "b" }), "k2");
      const delayed = (await q.enqueue(ciPayload({ sha: "c" }), "k3", { delayMs: 60_000 })).job;
      expect(await other.depth()).toEqual({ queued: 3, running: 0 });
      await q.lease("w", 60_000);
      await q.startNow(commentPayload(7), "c1", "cli", 60_000);
      expect(await other.depth()).toEqual({ queued: 2, running: 2 });
      await q.finish(a.id, "w", "succeeded", "fixed");
      await q.requestCancel([delayed.id], "octocat");
      expect(await other.depth()).toEqual({ queued: 1, running: 1 });
    });

    it("lists live jobs (waiting or running) apart from every job, oldest first", async () => {
      const [q, other] = await openTwo();
      const done = (await q.enqueue(ciPayload({ sha: "a" }), "k1")).job;
      await q.lease("w", 60_000);
      await q.finish(done.id, "w", "failed", "no fix");
      const running = (await q.enqueue(ciPayload({ sha: "b" }), "k2")).job;
      await q.lease("w", 60_000);
      const delayed = (await q.enqueue(ciPayload({ sha: "c" }), "k3", { delayMs: 60_000 })).job;
      const waiting = (await q.enqueue(advisoryPayload(), "k4")).job;
      const cancelled = (await q.enqueue(ciPayload({ sha: "d" }), "k5")).job;
      await q.requestCancel([cancelled.id], "octocat");

      expect((await other.live()).map((j) => [j.id, j.state]).toSorted(([x], [y]) => Number(x) - Number(y))).toEqual([
        [running.id, "running"],
        [delayed.id, "queued"],
        [waiting.id, "queued"],
      ]);
      expect((await other.list()).map((j) => [j.id, j.state])).toEqual([
        [done.id, "failed"],
        [running.id, "running"],
        [delayed.id, "queued"],
        [waiting.id, "queued"],
        [cancelled.id, "cancelled"],
      ]);
    });

    it("says when a delayed job becomes due, on the queue's clock, to every connection", async () => {
      const [q, other] = await openTwo();
      const delayed = (await q.enqueue(commentPayload(8), "c2", { delayMs: 5_000 })).job;
      expect(delayed.runAfter).toBe(6_000);
      expect((await other.get(delayed.id))?.runAfter).toBe(6_000);
    });

    it("gets a job as enqueued, with its times by the queue's clock, and null for an id it never gave", async () => {
      const [q, other] = await openTwo();
      const payload = commentPayload(7);
      const { job } = await q.enqueue(payload, "c1");
      expect(job).toEqual({ id: job.id, state: "queued", attempts: 0, payload, ackId: null, runAfter: 1_000, result: null, createdAt: 1_000, updatedAt: 1_000 });
      expect(await other.get(job.id)).toEqual(job);
      clock.advance(500);
      await q.lease("w", 60_000);
      expect(await other.get(job.id)).toMatchObject({ state: "running", attempts: 1, createdAt: 1_000, updatedAt: 1_500 });
      expect(await other.get(job.id + 1)).toBeNull();
      expect(await other.get(0)).toBeNull();
    });

    it("keeps the acknowledgement id of a job", async () => {
      const [q, other] = await openTwo();
      const { job } = await q.enqueue(ciPayload(), "k");
      await q.setAck(job.id, 4_242);
      expect((await other.get(job.id))?.ackId).toBe(4_242);
      expect((await other.list()).map((j) => j.ackId)).toEqual([4_242]);
    });
  });

  describe("updateQueued", () => {
    it("replaces a waiting job's payload, and is refused once the job started, finished or was cancelled", async () => {
      const [q, other] = await openTwo();
      const { job } = await q.enqueue(ciPayload(), "k", { delayMs: 60_000 });
      const merged = { ...ciPayload(), deliveryId: "merged" };
      expect(await other.updateQueued(job.id, merged)).toBe(true);
      expect((await q.get(job.id))?.payload).toEqual(merged);

      clock.advance(60_000);
      await q.lease("w", 60_000);
      expect(await other.updateQueued(job.id, ciPayload())).toBe(false);
      await q.finish(job.id, "w", "succeeded", "fixed");
      expect(await other.updateQueued(job.id, ciPayload())).toBe(false);
      expect((await q.get(job.id))?.payload).toEqual(merged);

      const cancelled = (await q.enqueue(ciPayload({ sha: "b" }), "k2")).job;
      await q.requestCancel([cancelled.id], "octocat");
      expect(await other.updateQueued(cancelled.id, merged)).toBe(false);
      expect(await other.updateQueued(9_999, merged)).toBe(false);
      expect(await q.get(9_999)).toBeNull();
    });
  });
});
