import { afterEach, describe, expect, it } from "vitest";
import { EnvError } from "../../src/config/env.ts";
import { openQueue } from "../../src/queue/open-queue.ts";
import { openRedisQueue, UnsafeRedis } from "../../src/queue/redis-queue.ts";
import { startRedisServer, type RedisServer } from "../support/redis-server.ts";

const servers: RedisServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function redis(extra: string[] = []) {
  const server = await startRedisServer(extra);
  servers.push(server);
  return server;
}

describe("what the queue demands of a Redis", () => {
  it("refuses a Redis that evicts keys, saying what to set", async () => {
    const server = await redis(["--maxmemory-policy", "allkeys-lru"]);
    const opened = openRedisQueue({ url: server.url, checkSafety: { warn: () => {} } });
    await expect(opened).rejects.toBeInstanceOf(UnsafeRedis);
    await expect(opened).rejects.toThrow(/maxmemory-policy allkeys-lru.*Set `maxmemory-policy noeviction`/);
  });

  it("warns about a Redis without persistence, and works", async () => {
    const server = await redis(["--appendonly", "no", "--save", ""]);
    const warnings: string[] = [];
    const queue = await openRedisQueue({ url: server.url, checkSafety: { warn: (w) => warnings.push(w) } });
    try {
      expect(warnings).toEqual([expect.stringMatching(/does not persist.*Set `appendonly yes`/)]);
      expect(await queue.depth()).toEqual({ queued: 0, running: 0 });
    } finally {
      await queue.close();
    }
  });

  it("says nothing of a Redis with append-only persistence and no eviction", async () => {
    const server = await redis();
    const warnings: string[] = [];
    const queue = await openRedisQueue({ url: server.url, checkSafety: { warn: (w) => warnings.push(w) } });
    await queue.close();
    expect(warnings).toEqual([]);
  });

  it("reads the settings from INFO where CONFIG is disabled, as on managed Redis", async () => {
    const server = await redis(["--maxmemory-policy", "volatile-lru", "--rename-command", "CONFIG", ""]);
    await expect(openRedisQueue({ url: server.url, checkSafety: { warn: () => {} } })).rejects.toThrow(/volatile-lru/);
  });

  it("is a start-up error through REDIS_URL: refused, or unreachable, named", async () => {
    const server = await redis(["--maxmemory-policy", "allkeys-random"]);
    const log = { warn: () => {} };
    await expect(openQueue({ redisUrl: server.url, dataDir: "/nonexistent" }, log)).rejects.toThrow(EnvError);
    await expect(openQueue({ redisUrl: server.url, dataDir: "/nonexistent" }, log)).rejects.toThrow(/^REDIS_URL: .*allkeys-random/);
    const closed = await redis();
    await closed.close();
    await expect(openQueue({ redisUrl: closed.url, dataDir: "/nonexistent" }, log)).rejects.toThrow(new RegExp(`^REDIS_URL: cannot reach Redis at 127.0.0.1:${closed.port}`));
  });
});
