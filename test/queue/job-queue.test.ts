import { describe, expect, it } from "vitest";
import type { JobPayload } from "../../src/queue/job.ts";
import { describeBackends } from "./backends.ts";
import { fakeClock } from "./fake-clock.ts";
import { ciPayload } from "./payloads.ts";

/** The queue's life cycle of a job, on every backend: enqueue, lease, heartbeat, finish, retry, restart. */

const payload = ciPayload();

describeBackends((backend) => {
  describe("a job's life cycle", () => {
    it("dedupes deliveries and jobs", async () => {
      const q = await backend.open({ now: fakeClock().now });
      expect(await q.recordDelivery("x")).toBe(true);
      expect(await q.recordDelivery("x")).toBe(false);
      const a = await q.enqueue(payload, "k");
      const b = await q.enqueue({ ...payload, deliveryId: "d2" }, "k");
      expect(a.created).toBe(true);
      expect(b.created).toBe(false);
      expect(b.job.id).toBe(a.job.id);
    });

    it("rejects a payload of an unknown version", async () => {
      const q = await backend.open({ now: fakeClock().now });
      await expect(q.enqueue({ ...payload, version: 2 } as unknown as JobPayload, "k")).rejects.toThrow();
      expect(await q.list()).toEqual([]);
    });

    it("leases one job to one worker at a time", async () => {
      const q = await backend.open({ now: fakeClock().now });
      await q.enqueue(payload, "k");
      const first = await q.lease("w1", 10_000);
      expect(first).toMatchObject({ state: "running", attempts: 1 });
      expect(await q.lease("w2", 10_000)).toBeNull();
      await q.finish(first!.id, "w1", "succeeded", "done");
      expect(await q.get(first!.id)).toMatchObject({ state: "succeeded", result: "done" });
      expect(await q.lease("w2", 10_000)).toBeNull();
    });

    it("records a job its owner runs at once, which no worker then leases", async () => {
      const q = await backend.open({ now: fakeClock().now });
      const job = await q.startNow(payload, "local-1", "cli:1", 60_000);
      expect(job).toMatchObject({ state: "running", attempts: 1 });
      expect(await q.lease("w", 10_000)).toBeNull();
      expect(await q.heartbeat(job.id, "cli:1", 60_000)).toBe(true);
      await q.finish(job.id, "cli:1", "succeeded", "branch patchwright/fix-1");
      expect(await q.get(job.id)).toMatchObject({ state: "succeeded", result: "branch patchwright/fix-1" });
    });

    it("survives a restart: a job left running by a dead worker is leased again once its lease expires", async () => {
      const clock = fakeClock();
      let q = await backend.open({ now: clock.now });
      await q.enqueue(payload, "k");
      const job = (await q.lease("dead-worker", 10_000))!;
      await q.close(); // the process dies without finishing

      q = await backend.open({ now: clock.now });
      expect(await q.lease("new-worker", 10_000)).toBeNull(); // lease still valid
      clock.advance(10_001);
      const again = await q.lease("new-worker", 10_000);
      expect(again).toMatchObject({ id: job.id, attempts: 2 });
      // The dead worker cannot finish or heartbeat a job it no longer holds.
      expect(await q.heartbeat(job.id, "dead-worker", 10_000)).toBe(false);
      await q.finish(job.id, "dead-worker", "succeeded", "stale");
      expect((await q.get(job.id))?.state).toBe("running");
    });

    it("heartbeats keep a lease alive", async () => {
      const clock = fakeClock();
      const q = await backend.open({ now: clock.now });
      await q.enqueue(payload, "k");
      const job = (await q.lease("w1", 10_000))!;
      clock.advance(9_000);
      expect(await q.heartbeat(job.id, "w1", 10_000)).toBe(true);
      clock.advance(9_000);
      expect(await q.lease("w2", 10_000)).toBeNull();
    });

    it("holds back a delayed job, and lets its payload change only until it starts", async () => {
      const clock = fakeClock();
      const q = await backend.open({ now: clock.now });
      const { job } = await q.enqueue(payload, "k", { delayMs: 5_000 });
      expect(await q.lease("w1", 10_000)).toBeNull();
      const merged = { ...payload, deliveryId: "merged" };
      expect(await q.updateQueued(job.id, merged)).toBe(true);
      clock.advance(5_000);
      expect((await q.lease("w1", 10_000))?.payload.deliveryId).toBe("merged");
      expect(await q.updateQueued(job.id, payload)).toBe(false);
    });

    it("delays a retried job", async () => {
      const clock = fakeClock();
      const q = await backend.open({ now: clock.now });
      await q.enqueue(payload, "k");
      const job = (await q.lease("w1", 10_000))!;
      await q.retryLater(job.id, "w1", 5_000, "GitHub 502");
      expect(await q.lease("w1", 10_000)).toBeNull();
      clock.advance(5_000);
      expect(await q.lease("w1", 10_000)).toMatchObject({ id: job.id, attempts: 2, result: "GitHub 502" });
    });

    it("wakes its listeners when it adds a job, until they unsubscribe", async () => {
      const q = await backend.open({ now: fakeClock().now });
      let wakes = 0;
      const unsubscribe = q.onEnqueued(() => wakes++);
      await q.enqueue(payload, "k1");
      expect(wakes).toBe(1);
      unsubscribe();
      await q.enqueue(ciPayload({ sha: "b" }), "k2");
      expect(wakes).toBe(1);
    });

    it("keeps a ledger per job, in order", async () => {
      const q = await backend.open({ now: fakeClock().now });
      const { job } = await q.enqueue(payload, "k");
      await q.appendLedger(job.id, "reproduce", { exit: 1 });
      await q.appendLedger(job.id, "fix", { turns: 3 });
      expect((await q.ledger(job.id)).map((e) => [e.kind, e.data])).toEqual([
        ["reproduce", { exit: 1 }],
        ["fix", { turns: 3 }],
      ]);
    });
  });
});
