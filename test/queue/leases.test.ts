import { describe, expect, it } from "vitest";
import type { JobQueue } from "../../src/queue/job-queue.ts";
import { describeBackends } from "./backends.ts";
import { fakeClock, type FakeClock } from "./fake-clock.ts";
import { ciPayload } from "./payloads.ts";

/**
 * A job is leased by one worker at a time, whichever process it runs in; a
 * lease that is not renewed expires (by the queue's clock) and the job is
 * leased again with one more attempt, its old holder refused.
 */

describeBackends((backend) => {
  let clock: FakeClock;
  const openTwo = async (): Promise<[JobQueue, JobQueue]> => {
    clock = fakeClock();
    return [await backend.open({ now: clock.now }), await backend.open({ now: clock.now })];
  };
  const enqueueMany = async (q: JobQueue, count: number): Promise<number[]> => {
    const ids: number[] = [];
    for (let n = 0; n < count; n++) ids.push((await q.enqueue(ciPayload({ sha: n.toString(16), repoName: `r${n}` }), `k${n}`)).job.id);
    return ids;
  };

  describe("leases", () => {
    it("gives every job to exactly one of four workers leasing at once over two connections", async () => {
      const connections = await openTwo();
      const ids = await enqueueMany(connections[0], 40);
      const taken = new Map<string, number[]>();
      /** One worker: leases until nothing is ready. */
      const lessee = async (q: JobQueue, owner: string) => {
        const mine: number[] = [];
        taken.set(owner, mine);
        for (let job = await q.lease(owner, 60_000); job !== null; job = await q.lease(owner, 60_000)) mine.push(job.id);
      };
      await Promise.all([0, 1, 2, 3].map((w) => lessee(connections[w % 2]!, `worker-${w}`)));

      const all = [...taken.values()].flat();
      expect(all.toSorted((a, b) => a - b)).toEqual(ids);
      const held = await connections[1].leases();
      expect(held.toSorted((a, b) => a.id - b.id)).toEqual(
        [...taken].flatMap(([owner, mine]) => mine.map((id) => ({ id, owner }))).toSorted((a, b) => a.id - b.id),
      );
      expect((await connections[0].list()).map((j) => [j.state, j.attempts])).toEqual(ids.map(() => ["running", 1]));
      expect(await connections[1].depth()).toEqual({ queued: 0, running: 40 });
    });

    it("leases a stalled job again once its lease expires by the clock, and refuses its dead holder", async () => {
      const [q, other] = await openTwo();
      const { job } = await q.enqueue(ciPayload(), "k");
      expect(await q.lease("dead", 10_000)).toMatchObject({ id: job.id, attempts: 1 });
      clock.advance(9_999);
      expect(await other.lease("alive", 10_000)).toBeNull();
      clock.advance(2);
      expect(await other.lease("alive", 10_000)).toMatchObject({ id: job.id, state: "running", attempts: 2 });
      expect(await other.leases()).toEqual([{ id: job.id, owner: "alive" }]);

      expect(await q.heartbeat(job.id, "dead", 10_000)).toBe(false);
      await q.finish(job.id, "dead", "failed", "stale");
      await q.retryLater(job.id, "dead", 0, "stale");
      expect(await q.get(job.id)).toMatchObject({ state: "running", attempts: 2, result: null });
      // The new holder's lease is intact: nobody else takes the job while it runs.
      expect(await q.lease("third", 10_000)).toBeNull();
      expect(await other.heartbeat(job.id, "alive", 10_000)).toBe(true);
      await other.finish(job.id, "alive", "succeeded", "fixed");
      expect(await q.get(job.id)).toMatchObject({ state: "succeeded", result: "fixed", attempts: 2 });
    });

    it("lets a holder whose lease ran out renew it while nobody else has taken the job", async () => {
      const [q, other] = await openTwo();
      const { job } = await q.enqueue(ciPayload(), "k");
      await q.lease("slow", 10_000);
      clock.advance(15_000);
      expect(await q.heartbeat(job.id, "slow", 10_000)).toBe(true);
      expect(await other.lease("eager", 10_000)).toBeNull();
    });

    it("refuses heartbeats for a finished job, an unknown job, or from a worker that never held it", async () => {
      const [q] = await openTwo();
      const { job } = await q.enqueue(ciPayload(), "k");
      await q.lease("w", 10_000);
      expect(await q.heartbeat(job.id, "stranger", 10_000)).toBe(false);
      await q.finish(job.id, "w", "succeeded", "done");
      expect(await q.heartbeat(job.id, "w", 10_000)).toBe(false);
      expect(await q.heartbeat(9_999, "w", 10_000)).toBe(false);
      expect(await q.leases()).toEqual([]);
    });

    it("ends a dead worker's lease at once with expireLease, and only for the owner named", async () => {
      const [q, other] = await openTwo();
      const { job } = await q.enqueue(ciPayload(), "k");
      await q.lease("host:123:dead", 60_000);
      await other.expireLease(job.id, "host:456:alive");
      expect(await other.lease("w", 60_000)).toBeNull();
      await other.expireLease(job.id, "host:123:dead");
      expect(await other.lease("w", 60_000)).toMatchObject({ id: job.id, attempts: 2 });
      expect(await q.heartbeat(job.id, "host:123:dead", 60_000)).toBe(false);
      expect(await q.leases()).toEqual([{ id: job.id, owner: "w" }]);
    });

    it("takes the oldest ready job first, be it waiting, stalled or retried", async () => {
      const [q] = await openTwo();
      const [a, b, c] = await enqueueMany(q, 3);
      expect((await q.lease("dead", 10_000))?.id).toBe(a);
      clock.advance(10_001);
      // a stalled, b and c waiting: a first.
      expect((await q.lease("w", 60_000))?.id).toBe(a);
      expect((await q.lease("w", 60_000))?.id).toBe(b);
      await q.retryLater(b!, "w", 0, "GitHub 502");
      // b retried after c was queued: still older.
      expect((await q.lease("w", 60_000))?.id).toBe(b);
      expect((await q.lease("w", 60_000))?.id).toBe(c);
    });
  });
});
