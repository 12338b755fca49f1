import { describe, expect, it } from "vitest";
import type { JobQueue } from "../../src/queue/job-queue.ts";
import { describeBackends } from "./backends.ts";
import { fakeClock, type FakeClock } from "./fake-clock.ts";
import { advisoryPayload, ciPayload } from "./payloads.ts";

const KEY = "advisory:o/r:npm:lodash";

describeBackends((backend) => {
  let clock: FakeClock;
  const open = async (): Promise<JobQueue> => {
    clock = fakeClock();
    return backend.open({ now: clock.now });
  };

  describe("enqueueUnlessLive", () => {
    it("returns the queued or running job with the key instead of adding one", async () => {
      const q = await open();
      const first = await q.enqueueUnlessLive(advisoryPayload(), KEY);
      expect(first.created).toBe(true);
      expect(await q.enqueueUnlessLive(advisoryPayload(), KEY)).toMatchObject({ created: false, job: { id: first.job.id, state: "queued" } });
      await q.lease("w", 60_000);
      expect(await q.enqueueUnlessLive(advisoryPayload(), KEY)).toMatchObject({ created: false, job: { id: first.job.id, state: "running" } });
      expect(await q.list()).toHaveLength(1);
    });

    it("adds a new job once the live one finished, however it ended, generation after generation", async () => {
      const q = await open();
      const ids: number[] = [];
      for (const end of ["succeeded", "failed", "skipped"] as const) {
        const { created, job } = await q.enqueueUnlessLive(advisoryPayload(), KEY);
        expect(created).toBe(true);
        ids.push(job.id);
        await q.lease("w", 60_000);
        await q.finish(job.id, "w", end, end);
      }
      const cancelled = (await q.enqueueUnlessLive(advisoryPayload(), KEY)).job;
      await q.requestCancel([cancelled.id], "maintainer");
      const last = await q.enqueueUnlessLive(advisoryPayload(), KEY);
      expect(last.created).toBe(true);
      expect((await q.list()).map((j) => [j.id, j.state])).toEqual([
        [ids[0], "succeeded"],
        [ids[1], "failed"],
        [ids[2], "skipped"],
        [cancelled.id, "cancelled"],
        [last.job.id, "queued"],
      ]);
    });

    it("leaves plain enqueue as it was: a key once used, even by a finished job, is never queued again", async () => {
      const q = await open();
      const { job } = await q.enqueue(ciPayload(), "ci:o/r@a");
      await q.lease("w", 60_000);
      await q.finish(job.id, "w", "succeeded", "fixed");
      expect(await q.enqueue(ciPayload(), "ci:o/r@a")).toMatchObject({ created: false, job: { id: job.id, state: "succeeded" } });
      // …and returns the newest job of a key that "unless live" reused.
      const again = await q.enqueueUnlessLive(ciPayload(), "ci:o/r@a");
      expect(again.created).toBe(true);
      expect((await q.enqueue(ciPayload(), "ci:o/r@a")).job.id).toBe(again.job.id);
    });

    it("holds a new job back for delayMs, and wakes workers only when it adds one", async () => {
      const q = await open();
      let wakes = 0;
      q.onEnqueued(() => wakes++);
      await q.enqueueUnlessLive(advisoryPayload(), KEY, { delayMs: 5_000 });
      await q.enqueueUnlessLive(advisoryPayload(), KEY);
      expect(wakes).toBe(1);
      expect(await q.lease("w", 60_000)).toBeNull();
      clock.advance(5_000);
      expect(await q.lease("w", 60_000)).not.toBeNull();
    });

    it("is one live job per key across connections", async () => {
      const q = await open();
      const other = await backend.open({ now: clock.now });
      const mine = (await q.enqueueUnlessLive(advisoryPayload(), KEY)).job;
      expect(await other.enqueueUnlessLive(advisoryPayload(), KEY)).toMatchObject({ created: false, job: { id: mine.id } });
      // The other connection sees it running, then ended: a new generation from either side.
      await other.lease("w", 60_000);
      expect(await q.enqueueUnlessLive(advisoryPayload(), KEY)).toMatchObject({ created: false, job: { id: mine.id, state: "running" } });
      await other.finish(mine.id, "w", "succeeded", "bumped");
      const next = await q.enqueueUnlessLive(advisoryPayload(), KEY);
      expect(next.created).toBe(true);
      expect(await other.enqueueUnlessLive(advisoryPayload(), KEY)).toMatchObject({ created: false, job: { id: next.job.id } });
    });
  });

  describe("forgetDelivery", () => {
    it("lets a delivery whose handling failed be recorded again", async () => {
      const q = await open();
      expect(await q.recordDelivery("d")).toBe(true);
      expect(await q.recordDelivery("d")).toBe(false);
      await q.forgetDelivery("d");
      expect(await q.recordDelivery("d")).toBe(true);
    });
  });
});
