import { describe, expect, it } from "vitest";
import type { JobPayload } from "../../src/queue/job.ts";
import type { JobQueue } from "../../src/queue/job-queue.ts";
import { describeBackends } from "./backends.ts";
import { fakeClock } from "./fake-clock.ts";
import { ciPayload } from "./payloads.ts";

/**
 * GitHub delivers a webhook at least once, and several processes take them:
 * a delivery id is handled once, and a (repository, commit, kind) key has one
 * job, or one live job, however the calls interleave across connections.
 */

/** The dedupe key the webhook handlers build: kind, repository and commit. */
const keyOf = (kind: string, payload: JobPayload) =>
  `${kind}:${payload.repo.owner}/${payload.repo.name}@${payload.trigger.type === "ci" ? payload.trigger.headSha : "-"}`;

/** `count` calls of `call`, alternating between the connections, all started before any is awaited. */
function race<T>(connections: readonly JobQueue[], count: number, call: (queue: JobQueue, i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => call(connections[i % connections.length]!, i)));
}

describeBackends((backend) => {
  const openTwo = async (): Promise<[JobQueue, JobQueue]> => {
    const clock = fakeClock();
    return [await backend.open({ now: clock.now }), await backend.open({ now: clock.now })];
  };

  describe("deliveries", () => {
    it("records a delivery id once, visible to every connection, until it is forgotten", async () => {
      const [q, other] = await openTwo();
      expect(await q.hasDelivery("d-1")).toBe(false);
      expect(await q.recordDelivery("d-1")).toBe(true);
      expect(await other.hasDelivery("d-1")).toBe(true);
      expect(await other.recordDelivery("d-1")).toBe(false);
      expect(await other.hasDelivery("d-2")).toBe(false);

      await other.forgetDelivery("d-1");
      expect(await q.hasDelivery("d-1")).toBe(false);
      expect(await q.recordDelivery("d-1")).toBe(true);
      expect(await other.recordDelivery("d-1")).toBe(false);
    });

    it("enqueueDelivery records the delivery and its job together; the delivery again is null, and no second job", async () => {
      const [q, other] = await openTwo();
      const payload = ciPayload();
      const first = await q.enqueueDelivery("d-1", payload, keyOf("ci", payload));
      expect(first?.created).toBe(true);
      expect(await other.hasDelivery("d-1")).toBe(true);
      expect(await other.enqueueDelivery("d-1", payload, keyOf("ci", payload))).toBeNull();
      // Another delivery of the same commit finds the job.
      const second = await other.enqueueDelivery("d-2", payload, keyOf("ci", payload));
      expect(second).toMatchObject({ created: false, job: { id: first?.job.id } });
      expect(await q.list()).toHaveLength(1);
    });

    it("enqueueDelivery, raced by many deliveries of one commit over two connections, makes one job", async () => {
      const connections = await openTwo();
      const payload = ciPayload();
      const results = await race(connections, 20, (queue, i) => queue.enqueueDelivery(`d-${i % 10}`, payload, keyOf("ci", payload)));
      expect(results.filter((r) => r === null)).toHaveLength(10);
      expect(results.filter((r) => r?.created)).toHaveLength(1);
      expect(await connections[0].list()).toHaveLength(1);
    });

    it("forgets only the delivery named, and forgetting an unknown one is harmless", async () => {
      const [q] = await openTwo();
      await q.recordDelivery("d-1");
      await q.recordDelivery("d-2");
      await q.forgetDelivery("d-unknown");
      await q.forgetDelivery("d-1");
      expect([await q.hasDelivery("d-1"), await q.hasDelivery("d-2")]).toEqual([false, true]);
    });

    it("lets exactly one of many concurrent recordings of a delivery over two connections win", async () => {
      const connections = await openTwo();
      const outcomes = await race(connections, 20, (q) => q.recordDelivery("redelivered"));
      expect(outcomes.filter(Boolean)).toHaveLength(1);
      expect(await connections[1].hasDelivery("redelivered")).toBe(true);
    });
  });

  describe("one job per key", () => {
    it("makes one job per repository, commit and kind, and returns it to every later enqueue", async () => {
      const [q] = await openTwo();
      const [a, b, elsewhere] = [ciPayload({ sha: "a" }), ciPayload({ sha: "b" }), ciPayload({ sha: "a", repoName: "other" })];
      const cases: [JobPayload, string][] = [a, b, elsewhere].map((p) => [p, keyOf("ci", p)]);
      cases.push([a, keyOf("iterate", a)]);
      const first: number[] = [];
      for (const [payload, key] of cases) {
        const { created, job } = await q.enqueue(payload, key);
        expect(created).toBe(true);
        first.push(job.id);
      }
      expect(new Set(first).size).toBe(4);
      const again = await Promise.all(cases.map(([payload, key]) => q.enqueue(payload, key)));
      expect(again.map((r) => [r.created, r.job.id])).toEqual(first.map((id) => [false, id]));
      expect(await q.list()).toHaveLength(4);
    });

    it("keeps the first payload when the same key is enqueued again", async () => {
      const [q, other] = await openTwo();
      const { job } = await q.enqueue({ ...ciPayload(), deliveryId: "first" }, "k");
      const again = await other.enqueue({ ...ciPayload(), deliveryId: "second" }, "k");
      expect(again).toMatchObject({ created: false, job: { id: job.id, payload: { deliveryId: "first" } } });
      expect((await q.get(job.id))?.payload.deliveryId).toBe("first");
    });

    it("makes one job when many enqueues of a key race over two connections", async () => {
      const connections = await openTwo();
      const payload = ciPayload();
      const results = await race(connections, 20, (q, i) => q.enqueue({ ...payload, deliveryId: `d-${i}` }, keyOf("ci", payload)));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.job.id)).size).toBe(1);
      expect(await connections[0].list()).toHaveLength(1);
      expect(await connections[1].depth()).toEqual({ queued: 1, running: 0 });
    });

    it("makes one live job when many enqueueUnlessLive of a key race over two connections, generation after generation", async () => {
      const connections = await openTwo();
      const payload = ciPayload();
      const key = keyOf("iterate", payload);
      const ids: number[] = [];
      for (const generation of [1, 2]) {
        const results = await race(connections, 20, (q) => q.enqueueUnlessLive(payload, key));
        expect(results.filter((r) => r.created)).toHaveLength(1);
        const id = results[0]!.job.id;
        expect(results.every((r) => r.job.id === id)).toBe(true);
        ids.push(id);
        expect(await connections[generation % 2]!.lease("w", 60_000)).toMatchObject({ id });
        await connections[generation % 2]!.finish(id, "w", "succeeded", "done");
      }
      expect(ids[0]).not.toBe(ids[1]);
      expect((await connections[0].list()).map((j) => [j.id, j.state])).toEqual(ids.map((id) => [id, "succeeded"]));
    });
  });
});
