/**
 * The parent's side of `queue-worker.ts`: forks one worker process on a
 * backend, waits until its queue is open, then starts it, tells it the batch
 * is all enqueued, and collects its report when it has drained the queue.
 */
import { fork } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import type { QueueBackendSpec } from "./queue-backends.ts";
import type { ParentMessage, WorkerMessage } from "./queue-worker.ts";

export type WorkerReport = Extract<WorkerMessage, { type: "done" }>;

export interface QueueWorkerProcess {
  readonly owner: string;
  /** Starts leasing. */
  go(): void;
  /** Every job of the batch is in the store: an empty lease now means drained. */
  enqueued(): void;
  /** Resolves with the report once the worker drained the queue and exited. */
  readonly report: Promise<WorkerReport>;
  /** Kills it if it is still running (after a failure). */
  kill(): void;
}

const SCRIPT = fileURLToPath(new URL("./queue-worker.ts", import.meta.url));

export async function spawnQueueWorker(spec: QueueBackendSpec, owner: string): Promise<QueueWorkerProcess> {
  const child = fork(SCRIPT, [owner], {
    env: { ...process.env, QUEUE_BENCH_BACKEND: JSON.stringify(spec) },
    execArgv: [],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  // Sending to a worker that died is reported by its exit, not by an EPIPE thrown here.
  child.on("error", () => undefined);
  const exited = once(child, "exit").then(([code, signal]) => ({ code: code as number | null, signal: signal as string | null }));
  const failure = (what: string) => exited.then(({ code, signal }) => Promise.reject(new Error(`queue worker ${owner} exited (${code ?? signal}) ${what}`)));
  const message = <T extends WorkerMessage["type"]>(type: T): Promise<Extract<WorkerMessage, { type: T }>> =>
    new Promise((resolve) => {
      const onMessage = (m: WorkerMessage) => {
        if (m.type !== type) return;
        child.off("message", onMessage);
        resolve(m as Extract<WorkerMessage, { type: T }>);
      };
      child.on("message", onMessage);
    });
  const ready = message("ready");
  const done = message("done");
  await Promise.race([ready, failure("before it was ready")]);
  const report = Promise.race([done, failure("before it reported")]).then(async (r) => {
    const { code, signal } = await exited;
    if (code !== 0) throw new Error(`queue worker ${owner} exited (${code ?? signal}) after its report`);
    return r;
  });
  // Awaited by the caller; this keeps a failure of an unawaited report from going unhandled.
  report.catch(() => undefined);
  const tell = (m: ParentMessage) => {
    if (child.connected) child.send(m);
  };
  return {
    owner,
    go: () => tell({ type: "go" }),
    enqueued: () => tell({ type: "enqueued" }),
    report,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  };
}
