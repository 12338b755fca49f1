import { describe, expect, it } from "vitest";
import type { JobQueue } from "../../src/queue/job-queue.ts";
import { describeBackends } from "./backends.ts";
import { fakeClock, type FakeClock } from "./fake-clock.ts";
import { ciPayload } from "./payloads.ts";

/** Caps per installation and per repository, held by the lease itself (so across processes too). */

describeBackends((backend) => {
  let clock: FakeClock;
  const open = async (): Promise<JobQueue> => {
    clock = fakeClock();
    return backend.open({ now: clock.now });
  };
  const repoOf = async (queue: JobQueue, id: number | undefined) => {
    const job = id === undefined ? null : await queue.get(id);
    return job ? job.payload.repo.name : null;
  };

  describe("tenant caps in the lease", () => {
    it("leases a second repository's job before a third job of the first", async () => {
      const queue = await open();
      await queue.enqueue(ciPayload({ sha: "1", repoName: "busy" }), "k1");
      await queue.enqueue(ciPayload({ sha: "2", repoName: "busy" }), "k2");
      await queue.enqueue(ciPayload({ sha: "3", repoName: "busy" }), "k3");
      await queue.enqueue(ciPayload({ sha: "4", repoName: "quiet" }), "k4");
      const caps = { perRepository: 2 };
      const leased = [await queue.lease("w1", 10_000, caps), await queue.lease("w1", 10_000, caps), await queue.lease("w2", 10_000, caps)];
      const order = await Promise.all(leased.map((j) => repoOf(queue, j?.id)));
      expect(order).toEqual(["busy", "busy", "quiet"]);
      // busy is at its cap: its third job waits though it is the oldest ready one.
      expect(await queue.lease("w2", 10_000, caps)).toBeNull();
      expect(await queue.depth()).toEqual({ queued: 1, running: 3 });
    });

    it("frees the slot when a job finishes, and without caps leases in order", async () => {
      const queue = await open();
      const first = (await queue.enqueue(ciPayload({ sha: "1", repoName: "a" }), "k1")).job;
      await queue.enqueue(ciPayload({ sha: "2", repoName: "a" }), "k2");
      expect((await queue.lease("w", 10_000, { perRepository: 1 }))?.id).toBe(first.id);
      expect(await queue.lease("w", 10_000, { perRepository: 1 })).toBeNull();
      await queue.finish(first.id, "w", "succeeded", "ok");
      expect(await repoOf(queue, (await queue.lease("w", 10_000, { perRepository: 1 }))?.id)).toBe("a");
      await queue.enqueue(ciPayload({ sha: "3", repoName: "a" }), "k3");
      expect(await queue.lease("w", 10_000)).not.toBeNull();
    });

    it("caps an installation across its repositories", async () => {
      const queue = await open();
      for (const [n, name] of ["a", "b", "c"].entries()) await queue.enqueue({ ...ciPayload({ sha: String(n), repoName: name }), installationId: 7 }, `k${n}`);
      await queue.enqueue({ ...ciPayload({ sha: "9", repoName: "other" }), installationId: 8 }, "k9");
      const caps = { perInstallation: 2, perRepository: 1 };
      const leased = [];
      for (let i = 0; i < 3; i++) leased.push((await queue.lease("w", 10_000, caps))?.payload.installationId);
      expect(leased).toEqual([7, 7, 8]);
      expect(await queue.lease("w", 10_000, caps)).toBeNull();
    });

    it("counts a repository's jobs whatever the case of its name", async () => {
      const queue = await open();
      await queue.enqueue(ciPayload({ sha: "1", repoName: "Repo" }), "k1");
      await queue.enqueue(ciPayload({ sha: "2", repoName: "repo" }), "k2");
      expect(await queue.lease("w", 10_000, { perRepository: 1 })).not.toBeNull();
      expect(await queue.lease("w", 10_000, { perRepository: 1 })).toBeNull();
    });

    it("counts only live leases: a dead worker's expired job no longer holds its tenant's slot", async () => {
      const queue = await open();
      const stale = (await queue.enqueue(ciPayload({ sha: "1", repoName: "a" }), "k1")).job;
      await queue.enqueue(ciPayload({ sha: "2", repoName: "a" }), "k2");
      expect((await queue.lease("dead", 10_000, { perRepository: 1 }))?.id).toBe(stale.id);
      clock.advance(10_001);
      // The expired job is ready again and comes first; it is not counted against itself.
      expect(await queue.lease("w", 10_000, { perRepository: 1 })).toMatchObject({ id: stale.id, attempts: 2 });
      expect(await queue.lease("w", 10_000, { perRepository: 1 })).toBeNull();
    });

    it("holds across two connections to the same store, as two processes would", async () => {
      const queue = await open();
      const other = await backend.open({ now: clock.now });
      await queue.enqueue(ciPayload({ sha: "1", repoName: "a" }), "k1");
      await queue.enqueue(ciPayload({ sha: "2", repoName: "a" }), "k2");
      expect(await queue.lease("process-1", 10_000, { perRepository: 1 })).not.toBeNull();
      expect(await other.lease("process-2", 10_000, { perRepository: 1 })).toBeNull();
    });

    it("lets only one of two connections leasing at once take a tenant's last slot", async () => {
      const queue = await open();
      const other = await backend.open({ now: clock.now });
      for (let n = 1; n <= 6; n++) await queue.enqueue({ ...ciPayload({ sha: String(n), repoName: `r${n % 3}` }), installationId: 7 }, `k${n}`);
      const caps = { perInstallation: 2, perRepository: 1 };
      const lessees = [queue, other, queue, other, queue, other].map((c, i) => c.lease(`w${i}`, 10_000, caps));
      const leased = (await Promise.all(lessees)).filter((job) => job !== null);
      expect(leased).toHaveLength(2);
      // Two repositories of installation 7, one job each.
      expect(new Set(leased.map((job) => job.payload.repo.name)).size).toBe(2);
      expect(await other.depth()).toEqual({ queued: 4, running: 2 });
    });
  });
});
