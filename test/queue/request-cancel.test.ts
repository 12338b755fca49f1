import { describe, expect, it } from "vitest";
import type { JobQueue } from "../../src/queue/job-queue.ts";
import { describeBackends } from "./backends.ts";
import { fakeClock } from "./fake-clock.ts";
import { ciPayload } from "./payloads.ts";

/**
 * `/agent stop`, taken by whichever process got the comment: a waiting job is
 * cancelled at once; a running one is flagged for its worker (which polls
 * `cancelRequestedBy`, see start-worker.test.ts) and keeps running until then.
 */

describeBackends((backend) => {
  const openTwo = async (): Promise<[JobQueue, JobQueue]> => {
    const clock = fakeClock();
    return [await backend.open({ now: clock.now }), await backend.open({ now: clock.now })];
  };

  describe("requestCancel", () => {
    it("cancels waiting jobs at once, due or not, and no worker leases them", async () => {
      const [q, commands] = await openTwo();
      const due = (await q.enqueue(ciPayload({ sha: "a" }), "k1")).job;
      const delayed = (await q.enqueue(ciPayload({ sha: "b" }), "k2", { delayMs: 60_000 })).job;
      const { cancelled, flagged } = await commands.requestCancel([due.id, delayed.id], "octocat");
      expect(cancelled.map((j) => [j.id, j.state])).toEqual([
        [due.id, "cancelled"],
        [delayed.id, "cancelled"],
      ]);
      expect(flagged).toEqual([]);
      expect(await q.get(due.id)).toMatchObject({ state: "cancelled", result: "stopped by @octocat" });
      expect(await q.lease("w", 60_000)).toBeNull();
      expect(await q.depth()).toEqual({ queued: 0, running: 0 });
      expect(await q.live()).toEqual([]);
      // Cancelled before it ran: nobody needs to be told to stop.
      expect(await q.cancelRequestedBy(due.id)).toBeNull();
    });

    it("flags a running job for its worker, tells every connection who asked, and leaves the job running", async () => {
      const [q, commands] = await openTwo();
      const { job } = await q.enqueue(ciPayload(), "k");
      await q.lease("w", 60_000);
      expect(await q.cancelRequestedBy(job.id)).toBeNull();
      const { cancelled, flagged } = await commands.requestCancel([job.id], "octocat");
      expect(cancelled).toEqual([]);
      expect(flagged.map((j) => [j.id, j.state])).toEqual([[job.id, "running"]]);
      expect(await q.cancelRequestedBy(job.id)).toBe("octocat");
      expect(await commands.cancelRequestedBy(job.id)).toBe("octocat");
      // Its worker still holds it, and ends it.
      expect(await q.heartbeat(job.id, "w", 60_000)).toBe(true);
      expect(await q.get(job.id)).toMatchObject({ state: "running" });
      await q.finish(job.id, "w", "cancelled", "stopped by @octocat");
      expect(await commands.get(job.id)).toMatchObject({ state: "cancelled", result: "stopped by @octocat" });
    });

    it("sorts a mixed request, and leaves finished jobs and unknown ids alone", async () => {
      const [q, commands] = await openTwo();
      const done = (await q.enqueue(ciPayload({ sha: "a" }), "k1")).job;
      await q.lease("w", 60_000);
      await q.finish(done.id, "w", "succeeded", "fixed");
      const running = (await q.enqueue(ciPayload({ sha: "b" }), "k2")).job;
      await q.lease("w", 60_000);
      const waiting = (await q.enqueue(ciPayload({ sha: "c" }), "k3")).job;

      const { cancelled, flagged } = await commands.requestCancel([done.id, running.id, waiting.id, 9_999], "octocat");
      expect(cancelled.map((j) => j.id)).toEqual([waiting.id]);
      expect(flagged.map((j) => j.id)).toEqual([running.id]);
      expect(await q.get(done.id)).toMatchObject({ state: "succeeded", result: "fixed" });
      expect(await q.cancelRequestedBy(done.id)).toBeNull();
      expect(await q.cancelRequestedBy(9_999)).toBeNull();
      expect(await q.get(9_999)).toBeNull();
      expect(await commands.requestCancel([], "octocat")).toEqual({ cancelled: [], flagged: [] });
    });
  });
});
