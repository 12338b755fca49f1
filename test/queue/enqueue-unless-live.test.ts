import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteQueue, type JobQueue } from "../../src/queue/sqlite-queue.ts";
import { advisoryPayload, ciPayload } from "./payloads.ts";

let dir: string;
let clock = 1_000;
let q: JobQueue;
const KEY = "advisory:o/r:npm:lodash";

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "pw-queue-live-"));
  clock = 1_000;
  q = openSqliteQueue({ dataDir: dir, now: () => clock });
});
afterEach(async () => {
  await q.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("enqueueUnlessLive", () => {
  it("returns the queued or running job with the key instead of adding one", async () => {
    const first = await q.enqueueUnlessLive(advisoryPayload(), KEY);
    expect(first.created).toBe(true);
    expect(await q.enqueueUnlessLive(advisoryPayload(), KEY)).toMatchObject({ created: false, job: { id: first.job.id, state: "queued" } });
    await q.lease("w", 60_000);
    expect(await q.enqueueUnlessLive(advisoryPayload(), KEY)).toMatchObject({ created: false, job: { id: first.job.id, state: "running" } });
    expect(await q.list()).toHaveLength(1);
  });

  it("adds a new job once the live one finished, however it ended, generation after generation", async () => {
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
    let wakes = 0;
    q.onEnqueued(() => wakes++);
    await q.enqueueUnlessLive(advisoryPayload(), KEY, { delayMs: 5_000 });
    await q.enqueueUnlessLive(advisoryPayload(), KEY);
    expect(wakes).toBe(1);
    expect(await q.lease("w", 60_000)).toBeNull();
    clock += 5_000;
    expect(await q.lease("w", 60_000)).not.toBeNull();
  });

  it("is one live job per key across connections, down to the database's own index", async () => {
    const other = openSqliteQueue({ dataDir: dir, now: () => clock });
    try {
      const mine = (await q.enqueueUnlessLive(advisoryPayload(), KEY)).job;
      expect(await other.enqueueUnlessLive(advisoryPayload(), KEY)).toMatchObject({ created: false, job: { id: mine.id } });
      const raw = new DatabaseSync(path.join(dir, "patchwright.db"));
      try {
        const insert = raw.prepare("INSERT INTO jobs (dedupe_key, state, payload, created_at, updated_at) VALUES (?, ?, '{}', 0, 0)");
        expect(() => insert.run(KEY, "running")).toThrow(/UNIQUE/);
        expect(() => insert.run(KEY, "succeeded")).not.toThrow();
      } finally {
        raw.close();
      }
    } finally {
      await other.close();
    }
  });
});

describe("forgetDelivery", () => {
  it("lets a delivery whose handling failed be recorded again", async () => {
    expect(await q.recordDelivery("d")).toBe(true);
    expect(await q.recordDelivery("d")).toBe(false);
    await q.forgetDelivery("d");
    expect(await q.recordDelivery("d")).toBe(true);
  });
});
