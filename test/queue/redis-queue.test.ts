import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { JobQueue } from "../../src/queue/job-queue.ts";
import { openRedisQueue } from "../../src/queue/redis-queue.ts";
import { startRedisServer, type RedisServer } from "../support/redis-server.ts";
import { fakeClock } from "./fake-clock.ts";
import { ciPayload } from "./payloads.ts";

/**
 * What only the Redis queue has: key prefixes sharing one server, scripts
 * Redis may forget, and wake-ups across processes. The contract both backends
 * keep is tested through describeBackends (job-queue.test.ts and its neighbours).
 */

let server: RedisServer | undefined;
let missing: unknown;
const opened: JobQueue[] = [];
let raw: Redis | undefined;

/** The server's URL; without a server, why it is missing. */
const url = (): string => {
  if (server === undefined) throw missing;
  return server.url;
};

// A host without redis-server fails each test, saying what to install (a failed beforeAll would mark them skipped).
beforeAll(async () => {
  server = await startRedisServer().catch((error: unknown) => {
    missing = error;
    return undefined;
  });
});
beforeEach(() => void url());
afterAll(async () => {
  await server?.close();
});
afterEach(async () => {
  for (const queue of opened.splice(0).reverse()) await queue.close();
  await raw?.quit();
  raw = undefined;
});

const open = async (keyPrefix: string, now?: () => number): Promise<JobQueue> => {
  const queue = await openRedisQueue({ url: url(), keyPrefix, ...(now ? { now } : {}) });
  opened.push(queue);
  return queue;
};

describe("redis queue, its server", () => {
  it("keeps deployments with different key prefixes apart on one server", async () => {
    const clock = fakeClock();
    const [blue, green] = [await open("blue:", clock.now), await open("green:", clock.now)];
    const { job } = await blue.enqueue(ciPayload(), "k");
    await blue.recordDelivery("d-1");
    expect(await green.list()).toEqual([]);
    expect(await green.depth()).toEqual({ queued: 0, running: 0 });
    expect(await green.lease("w", 60_000)).toBeNull();
    expect(await green.hasDelivery("d-1")).toBe(false);
    expect(await green.enqueue(ciPayload(), "k")).toMatchObject({ created: true });
    expect(await blue.lease("w", 60_000)).toMatchObject({ id: job.id });
    expect(await blue.list()).toHaveLength(1);
  });

  it("loads its scripts again when Redis forgot them (a restart, SCRIPT FLUSH)", async () => {
    const clock = fakeClock();
    const q = await open("flushed:", clock.now);
    const { job } = await q.enqueue(ciPayload(), "k");
    raw = new Redis(url());
    await raw.script("FLUSH");
    expect(await q.lease("w", 60_000)).toMatchObject({ id: job.id, state: "running" });
    await raw.script("FLUSH");
    await q.finish(job.id, "w", "succeeded", "fixed");
    expect(await q.get(job.id)).toMatchObject({ state: "succeeded", result: "fixed" });
  });

  it("wakes the workers of every process when any of them enqueues a job", async () => {
    const [q, other] = [await open("woken:"), await open("woken:")];
    const woken = new Promise<void>((resolve) => q.onEnqueued(resolve));
    let awake = false;
    void woken.then(() => (awake = true));
    // The subscription is made in the background, with nothing to wait on: jobs are
    // enqueued through the other connection until one of them wakes this one.
    let n = 0;
    while (!awake) {
      await other.enqueue(ciPayload({ sha: (n % 16).toString(16), repoName: `r${n}` }), `k${n}`);
      n++;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await woken;
    expect((await q.list()).length).toBe(n);
  });
});
