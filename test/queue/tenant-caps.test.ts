import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteQueue, type JobQueue } from "../../src/queue/sqlite-queue.ts";
import { ciPayload } from "./payloads.ts";

/** Caps per installation and per repository, held by the lease query itself (so across processes too). */

let dir: string;
let clock = 1_000;
let queue: JobQueue;
const repoOf = (id: number | undefined) => {
  const job = id === undefined ? null : queue.get(id);
  return job ? job.payload.repo.name : null;
};

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "pw-caps-"));
  clock = 1_000;
  queue = openSqliteQueue({ dataDir: dir, now: () => clock });
});
afterEach(() => {
  queue.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("tenant caps in the lease", () => {
  it("leases a second repository's job before a third job of the first", () => {
    queue.enqueue(ciPayload({ sha: "1", repoName: "busy" }), "k1");
    queue.enqueue(ciPayload({ sha: "2", repoName: "busy" }), "k2");
    queue.enqueue(ciPayload({ sha: "3", repoName: "busy" }), "k3");
    queue.enqueue(ciPayload({ sha: "4", repoName: "quiet" }), "k4");
    const caps = { perRepository: 2 };
    const order = [queue.lease("w1", 10_000, caps), queue.lease("w1", 10_000, caps), queue.lease("w2", 10_000, caps)].map((j) => repoOf(j?.id));
    expect(order).toEqual(["busy", "busy", "quiet"]);
    // busy is at its cap: its third job waits though it is the oldest ready one.
    expect(queue.lease("w2", 10_000, caps)).toBeNull();
    expect(queue.depth()).toEqual({ queued: 1, running: 3 });
  });

  it("frees the slot when a job finishes, and without caps leases in order", () => {
    const first = queue.enqueue(ciPayload({ sha: "1", repoName: "a" }), "k1").job;
    queue.enqueue(ciPayload({ sha: "2", repoName: "a" }), "k2");
    expect(queue.lease("w", 10_000, { perRepository: 1 })?.id).toBe(first.id);
    expect(queue.lease("w", 10_000, { perRepository: 1 })).toBeNull();
    queue.finish(first.id, "w", "succeeded", "ok");
    expect(repoOf(queue.lease("w", 10_000, { perRepository: 1 })?.id)).toBe("a");
    queue.enqueue(ciPayload({ sha: "3", repoName: "a" }), "k3");
    expect(queue.lease("w", 10_000)).not.toBeNull();
  });

  it("caps an installation across its repositories", () => {
    for (const [n, name] of ["a", "b", "c"].entries()) queue.enqueue({ ...ciPayload({ sha: String(n), repoName: name }), installationId: 7 }, `k${n}`);
    queue.enqueue({ ...ciPayload({ sha: "9", repoName: "other" }), installationId: 8 }, "k9");
    const caps = { perInstallation: 2, perRepository: 1 };
    const leased = [1, 2, 3].map(() => queue.lease("w", 10_000, caps)).map((j) => j?.payload.installationId);
    expect(leased).toEqual([7, 7, 8]);
    expect(queue.lease("w", 10_000, caps)).toBeNull();
  });

  it("counts only live leases: a dead worker's expired job no longer holds its tenant's slot", () => {
    const stale = queue.enqueue(ciPayload({ sha: "1", repoName: "a" }), "k1").job;
    queue.enqueue(ciPayload({ sha: "2", repoName: "a" }), "k2");
    expect(queue.lease("dead", 10_000, { perRepository: 1 })?.id).toBe(stale.id);
    clock += 10_001;
    // The expired job is ready again and comes first; it is not counted against itself.
    expect(queue.lease("w", 10_000, { perRepository: 1 })).toMatchObject({ id: stale.id, attempts: 2 });
    expect(queue.lease("w", 10_000, { perRepository: 1 })).toBeNull();
  });

  it("holds across two connections to the same store, as two processes would", () => {
    const other = openSqliteQueue({ dataDir: dir, now: () => clock });
    try {
      queue.enqueue(ciPayload({ sha: "1", repoName: "a" }), "k1");
      queue.enqueue(ciPayload({ sha: "2", repoName: "a" }), "k2");
      expect(queue.lease("process-1", 10_000, { perRepository: 1 })).not.toBeNull();
      expect(other.lease("process-2", 10_000, { perRepository: 1 })).toBeNull();
    } finally {
      other.close();
    }
  });
});
