/**
 * The queue backends the queue benchmark compares, described by a plain
 * object that crosses to the worker processes (as JSON in their environment),
 * so that each process opens its own connection to the same store.
 */
import type { JobQueue } from "../../src/queue/job-queue.ts";
import { openRedisQueue } from "../../src/queue/redis-queue.ts";
import { openSqliteQueue } from "../../src/queue/sqlite-queue.ts";

export type QueueBackendKind = "sqlite" | "redis";

export type QueueBackendSpec =
  | { readonly kind: "sqlite"; readonly dataDir: string }
  | { readonly kind: "redis"; readonly url: string; readonly keyPrefix: string };

export async function openBenchQueue(spec: QueueBackendSpec): Promise<JobQueue> {
  switch (spec.kind) {
    case "sqlite":
      return openSqliteQueue({ dataDir: spec.dataDir });
    case "redis":
      return openRedisQueue({ url: spec.url, keyPrefix: spec.keyPrefix });
  }
}

/**
 * SQLite's "database is locked": a process waited `busy_timeout` (5 s) for
 * the write lock and gave up. Processes that take the lock back to back can
 * starve a third one for that long; the benchmark counts and retries these.
 */
export function isStoreBusy(error: unknown): boolean {
  return (error as { code?: unknown; errcode?: unknown } | null)?.code === "ERR_SQLITE_ERROR" && (error as { errcode?: unknown }).errcode === 5;
}

/** Runs `fn` until it does not fail with `isStoreBusy`; `onBusy` is called for each such failure. */
export async function retryWhileBusy<T>(fn: () => Promise<T>, onBusy: () => void): Promise<T> {
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (!isStoreBusy(error)) throw error;
      onBusy();
    }
  }
}
