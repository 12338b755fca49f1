import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { JobPayload } from "../../src/queue/job.ts";
import { openSqliteQueue } from "../../src/queue/sqlite-queue.ts";

const payload: JobPayload = {
  version: 1,
  kind: "fix-ci",
  installationId: 1,
  deliveryId: "d1",
  repo: { owner: "o", name: "r", cloneUrl: "https://github.com/o/r.git", defaultBranch: "main" },
  trigger: { type: "ci", headSha: "a".repeat(40), headBranch: "main", sources: [{ type: "status", context: "ci", description: "", targetUrl: null }] },
};

let dir: string;
let clock = 1_000;
const now = () => clock;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "pw-queue-"));
  clock = 1_000;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("sqlite queue", () => {
  it("dedupes deliveries and jobs", async () => {
    const q = openSqliteQueue({ dataDir: dir, now });
    expect(await q.recordDelivery("x")).toBe(true);
    expect(await q.recordDelivery("x")).toBe(false);
    const a = await q.enqueue(payload, "k");
    const b = await q.enqueue({ ...payload, deliveryId: "d2" }, "k");
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(b.job.id).toBe(a.job.id);
    await q.close();
  });

  it("rejects a payload of an unknown version", async () => {
    const q = openSqliteQueue({ dataDir: dir, now });
    await expect(q.enqueue({ ...payload, version: 2 } as unknown as JobPayload, "k")).rejects.toThrow();
    await q.close();
  });

  it("leases one job to one worker at a time", async () => {
    const q = openSqliteQueue({ dataDir: dir, now });
    await q.enqueue(payload, "k");
    const first = await q.lease("w1", 10_000);
    expect(first).toMatchObject({ state: "running", attempts: 1 });
    expect(await q.lease("w2", 10_000)).toBeNull();
    await q.finish(first!.id, "w1", "succeeded", "done");
    expect(await q.get(first!.id)).toMatchObject({ state: "succeeded", result: "done" });
    expect(await q.lease("w2", 10_000)).toBeNull();
    await q.close();
  });

  it("records a job its owner runs at once, which no worker then leases", async () => {
    const q = openSqliteQueue({ dataDir: dir, now });
    const job = await q.startNow(payload, "local-1", "cli:1", 60_000);
    expect(job).toMatchObject({ state: "running", attempts: 1 });
    expect(await q.lease("w", 10_000)).toBeNull();
    expect(await q.heartbeat(job.id, "cli:1", 60_000)).toBe(true);
    await q.finish(job.id, "cli:1", "succeeded", "branch patchwright/fix-1");
    expect(await q.get(job.id)).toMatchObject({ state: "succeeded", result: "branch patchwright/fix-1" });
    await q.close();
  });

  it("survives a restart: a job left running by a dead worker is leased again once its lease expires", async () => {
    let q = openSqliteQueue({ dataDir: dir, now });
    await q.enqueue(payload, "k");
    const job = (await q.lease("dead-worker", 10_000))!;
    await q.close(); // the process dies without finishing

    q = openSqliteQueue({ dataDir: dir, now });
    expect(await q.lease("new-worker", 10_000)).toBeNull(); // lease still valid
    clock += 10_001;
    const again = await q.lease("new-worker", 10_000);
    expect(again).toMatchObject({ id: job.id, attempts: 2 });
    // The dead worker cannot finish or heartbeat a job it no longer holds.
    expect(await q.heartbeat(job.id, "dead-worker", 10_000)).toBe(false);
    await q.finish(job.id, "dead-worker", "succeeded", "stale");
    expect((await q.get(job.id))?.state).toBe("running");
    await q.close();
  });

  it("heartbeats keep a lease alive", async () => {
    const q = openSqliteQueue({ dataDir: dir, now });
    await q.enqueue(payload, "k");
    const job = (await q.lease("w1", 10_000))!;
    clock += 9_000;
    expect(await q.heartbeat(job.id, "w1", 10_000)).toBe(true);
    clock += 9_000;
    expect(await q.lease("w2", 10_000)).toBeNull();
    await q.close();
  });

  it("holds back a delayed job, and lets its payload change only until it starts", async () => {
    const q = openSqliteQueue({ dataDir: dir, now });
    const { job } = await q.enqueue(payload, "k", { delayMs: 5_000 });
    expect(await q.lease("w1", 10_000)).toBeNull();
    const merged = { ...payload, deliveryId: "merged" };
    expect(await q.updateQueued(job.id, merged)).toBe(true);
    clock += 5_000;
    expect((await q.lease("w1", 10_000))?.payload.deliveryId).toBe("merged");
    expect(await q.updateQueued(job.id, payload)).toBe(false);
    await q.close();
  });

  it("delays a retried job", async () => {
    const q = openSqliteQueue({ dataDir: dir, now });
    await q.enqueue(payload, "k");
    const job = (await q.lease("w1", 10_000))!;
    await q.retryLater(job.id, "w1", 5_000, "GitHub 502");
    expect(await q.lease("w1", 10_000)).toBeNull();
    clock += 5_000;
    expect(await q.lease("w1", 10_000)).toMatchObject({ id: job.id, attempts: 2, result: "GitHub 502" });
    await q.close();
  });

  it("keeps a ledger per job, in order", async () => {
    const q = openSqliteQueue({ dataDir: dir, now });
    const { job } = await q.enqueue(payload, "k");
    await q.appendLedger(job.id, "reproduce", { exit: 1 });
    await q.appendLedger(job.id, "fix", { turns: 3 });
    expect((await q.ledger(job.id)).map((e) => [e.kind, e.data])).toEqual([
      ["reproduce", { exit: 1 }],
      ["fix", { turns: 3 }],
    ]);
    await q.close();
  });
});
