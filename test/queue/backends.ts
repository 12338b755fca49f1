/**
 * Runs the queue's contract tests on every backend: `describeBackends(body)`
 * defines `body`'s tests once under "sqlite queue" and once under "redis
 * queue". Each test gets a store of its own (a temporary directory; a fresh
 * key prefix on one real `redis-server` per file), and `backend.open()` opens a
 * connection to it; a second `open()` is a second process sharing the store.
 * Every queue opened is closed after its test.
 *
 * A host without `redis-server` fails every Redis test (saying what to
 * install), under CI=true or not: none is ever skipped.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe } from "vitest";
import type { JobQueue } from "../../src/queue/job-queue.ts";
import { openRedisQueue } from "../../src/queue/redis-queue.ts";
import { openSqliteQueue } from "../../src/queue/sqlite-queue.ts";
import { startRedisServer, type RedisServer } from "../support/redis-server.ts";

export type BackendName = "sqlite" | "redis";

export interface Backend {
  readonly name: BackendName;
  /**
   * A new connection to this test's store, with `now` as its clock (default
   * the real one). Closing it twice is harmless; the test's end closes it anyway.
   */
  open(options?: { now?: () => number }): Promise<JobQueue>;
}

/** How one backend makes a store per test and connections to it. */
interface Store {
  readonly name: BackendName;
  /** Once per `describeBackends` (that is, per file). */
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
  /** Before each test: a store of its own. */
  fresh(): void;
  connect(now: (() => number) | undefined): Promise<JobQueue>;
  /** After each test, once its queues are closed. */
  discard(): void;
}

function sqliteStore(): Store {
  let dir: string | undefined;
  return {
    name: "sqlite",
    async setUp() {},
    async tearDown() {},
    fresh() {
      dir = mkdtempSync(path.join(tmpdir(), "pw-queue-"));
    },
    async connect(now) {
      if (dir === undefined) throw new Error("open() is for tests and their hooks");
      return openSqliteQueue({ dataDir: dir, ...(now ? { now } : {}) });
    },
    discard() {
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
    },
  };
}

function redisStore(): Store {
  let server: RedisServer | undefined;
  let missing: unknown;
  let tests = 0;
  let keyPrefix: string | undefined;
  return {
    name: "redis",
    async setUp() {
      // Reported by every test rather than by beforeAll: a failed beforeAll marks its tests skipped.
      server = await startRedisServer().catch((error: unknown) => {
        missing = error;
        return undefined;
      });
    },
    async tearDown() {
      await server?.close();
    },
    fresh() {
      if (server === undefined) throw missing;
      keyPrefix = `pw-test-${++tests}:`;
    },
    async connect(now) {
      if (server === undefined || keyPrefix === undefined) throw new Error("open() is for tests and their hooks");
      return openRedisQueue({ url: server.url, keyPrefix, ...(now ? { now } : {}) });
    },
    discard() {
      keyPrefix = undefined;
    },
  };
}

/**
 * Defines the tests of `body` once per backend, each in a `describe` named
 * after it. Call it once per file: each call starts its own `redis-server`.
 */
export function describeBackends(body: (backend: Backend) => void): void {
  for (const store of [sqliteStore(), redisStore()]) {
    describe(`${store.name} queue`, () => {
      const opened = new Set<JobQueue>();

      beforeAll(() => store.setUp());
      afterAll(() => store.tearDown());
      beforeEach(() => store.fresh());
      afterEach(async () => {
        // Every connection is closed, and the store discarded, even when one fails to close.
        const closed = await Promise.allSettled([...opened].map((queue) => queue.close()));
        opened.clear();
        store.discard();
        for (const result of closed) if (result.status === "rejected") throw result.reason;
      });

      body({
        name: store.name,
        async open(options = {}) {
          const queue = await store.connect(options.now);
          const closeOnce = async () => {
            if (!opened.delete(wrapped)) return;
            await queue.close();
          };
          // Forwards everything but `close`, which only closes a connection still open.
          const wrapped: JobQueue = new Proxy(queue, {
            get(target, property) {
              if (property === "close") return closeOnce;
              const value: unknown = Reflect.get(target, property);
              return typeof value === "function" ? value.bind(target) : value;
            },
          });
          opened.add(wrapped);
          return wrapped;
        },
      });
    });
  }
}
