/**
 * Worker process of `bench/queue.ts`: opens its own connection to the queue
 * and, from `go` on, loops lease → finish as fast as it can.
 *
 *   node bench/lib/queue-worker.ts OWNER   (the backend in QUEUE_BENCH_BACKEND, JSON)
 *
 * Sends `ready` once the queue is open. After `go`, an empty lease waits
 * IDLE_MS before the next (the parent may still be enqueueing); once the
 * parent said `enqueued` (every job is in the store), an empty lease means the
 * batch is drained: the worker sends `done` with the ids it finished and when
 * it finished the last one, closes the queue and exits. A call that gave up
 * on SQLite's write lock is counted and retried (the job is not lost: its
 * lease is long, and the same worker retries its finish).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { epochMs } from "./queue-stats.ts";
import { openBenchQueue, retryWhileBusy, type QueueBackendSpec } from "./queue-backends.ts";

export type ParentMessage = { type: "go" } | { type: "enqueued" };
export type WorkerMessage =
  | { type: "ready" }
  | {
      type: "done";
      /** Ids of the jobs this worker finished, in order. */
      finished: number[];
      /** `epochMs()` just after the last `finish` resolved (null: none finished). */
      lastFinishAt: number | null;
      /** Leases that found no ready job before the end. */
      emptyLeases: number;
      /** Calls that gave up waiting for SQLite's write lock (busy_timeout), retried. */
      busyErrors: number;
    };

/** Long enough that no lease expires during a run: a job is never leased twice by design here. */
const LEASE_MS = 10 * 60 * 1000;
/** Pause after an empty lease while the parent is still enqueueing. */
const IDLE_MS = 2;

const send = (message: WorkerMessage): Promise<void> =>
  new Promise((resolve, reject) => process.send?.(message, undefined, {}, (error) => (error ? reject(error) : resolve())));

const owner = process.argv[2] ?? `bench-worker-${process.pid}`;
const spec = JSON.parse(process.env["QUEUE_BENCH_BACKEND"] ?? "null") as QueueBackendSpec;
const queue = await openBenchQueue(spec);

let allEnqueued = false;
const go = new Promise<void>((resolve) => {
  process.on("message", (message: ParentMessage) => {
    if (message.type === "go") resolve();
    else allEnqueued = true;
  });
});
await send({ type: "ready" });
await go;

const finished: number[] = [];
let lastFinishAt: number | null = null;
let emptyLeases = 0;
let busyErrors = 0;
const onBusy = () => void (busyErrors += 1);
for (;;) {
  // Read before leasing: an empty lease after `enqueued` arrived means nothing is left.
  const drainedIfEmpty = allEnqueued;
  const job = await retryWhileBusy(() => queue.lease(owner, LEASE_MS), onBusy);
  if (job === null) {
    if (drainedIfEmpty) break;
    emptyLeases += 1;
    await sleep(IDLE_MS);
    continue;
  }
  await retryWhileBusy(() => queue.finish(job.id, owner, "succeeded", "bench"), onBusy);
  finished.push(job.id);
  lastFinishAt = epochMs();
}
await send({ type: "done", finished, lastFinishAt, emptyLeases, busyErrors });
await queue.close();
process.disconnect();
