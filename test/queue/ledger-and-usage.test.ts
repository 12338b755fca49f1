import { describe, expect, it } from "vitest";
import type { JobQueue } from "../../src/queue/job-queue.ts";
import { describeBackends } from "./backends.ts";
import { fakeClock, type FakeClock } from "./fake-clock.ts";
import { ciPayload } from "./payloads.ts";

/** A job's ledger (what each stage did, in order) and the model spend of a repository (its daily budget). */

describeBackends((backend) => {
  let clock: FakeClock;
  const openTwo = async (): Promise<[JobQueue, JobQueue]> => {
    clock = fakeClock();
    return [await backend.open({ now: clock.now }), await backend.open({ now: clock.now })];
  };

  describe("ledger", () => {
    it("keeps each job's entries in the order appended, across connections and within one millisecond", async () => {
      const [q, other] = await openTwo();
      const a = (await q.enqueue(ciPayload({ sha: "a" }), "k1")).job;
      const b = (await q.enqueue(ciPayload({ sha: "b" }), "k2")).job;
      await q.appendLedger(a.id, "admit", { ok: true });
      await other.appendLedger(b.id, "admit", { ok: false });
      await other.appendLedger(a.id, "reproduce", { exit: 1, command: "npm test" });
      clock.advance(250);
      await q.appendLedger(a.id, "fix", { turns: 3, files: ["src/a.ts"], note: null, text: "ünïcode ✓" });
      await other.appendLedger(a.id, "verify", "green");

      expect(await other.ledger(a.id)).toEqual([
        { at: 1_000, kind: "admit", data: { ok: true } },
        { at: 1_000, kind: "reproduce", data: { exit: 1, command: "npm test" } },
        { at: 1_250, kind: "fix", data: { turns: 3, files: ["src/a.ts"], note: null, text: "ünïcode ✓" } },
        { at: 1_250, kind: "verify", data: "green" },
      ]);
      expect(await q.ledger(b.id)).toEqual([{ at: 1_000, kind: "admit", data: { ok: false } }]);
      expect(await q.ledger(9_999)).toEqual([]);
    });

    it("keeps the order of many entries appended at once from two connections", async () => {
      const [q, other] = await openTwo();
      const { job } = await q.enqueue(ciPayload(), "k");
      // Each connection's own entries stay in its order; none is lost.
      await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? q : other).appendLedger(job.id, `step-${i % 2}`, { i })));
      const entries = await q.ledger(job.id);
      expect(entries).toHaveLength(20);
      for (const side of [0, 1]) {
        const mine = entries.filter((e) => e.kind === `step-${side}`).map((e) => (e.data as { i: number }).i);
        expect(mine).toEqual(Array.from({ length: 10 }, (_, k) => 2 * k + side));
      }
    });
  });

  describe("usage", () => {
    it("sums a repository's tokens and dollars since a time, from the time on, across connections", async () => {
      const [q, other] = await openTwo();
      const { job } = await q.enqueue(ciPayload(), "k");
      await q.recordUsage(job.id, "o/r", 1_000, 0.25);
      await other.recordUsage(job.id, "o/other", 7_000, 2);
      clock.advance(1_000);
      await other.recordUsage(job.id, "o/r", 500, 0.5);
      // The same call twice is two calls: both count.
      await q.recordUsage(job.id, "o/r", 500, 0.5);

      const since = async (repo: string, t: number) => {
        const { tokens, costUsd } = await q.usageSince(repo, t);
        return [tokens, Number(costUsd.toFixed(6))];
      };
      expect(await since("o/r", 0)).toEqual([2_000, 1.25]);
      expect(await since("o/r", 1_000)).toEqual([2_000, 1.25]);
      expect(await since("o/r", 1_001)).toEqual([1_000, 1]);
      expect(await since("o/r", 2_000)).toEqual([1_000, 1]);
      expect(await since("o/r", 2_001)).toEqual([0, 0]);
      expect(await since("o/other", 0)).toEqual([7_000, 2]);
      expect(await since("o/unknown", 0)).toEqual([0, 0]);
    });
  });
});
