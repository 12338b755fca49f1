import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { JobCancelled, SHUTDOWN } from "./job-cancelled.ts";
import type { JobRecord, JobResult } from "./job.ts";
import type { JobQueue } from "./sqlite-queue.ts";

export type { JobResult } from "./job.ts";

export interface WorkerDeps {
  queue: JobQueue;
  log: Logger;
  /** Runs one job to an outcome; must not throw (the pipeline reports its own failures). */
  process(job: JobRecord, signal: AbortSignal): Promise<JobResult>;
  /** A job whose worker died too often: report it where its requester will see it. */
  abandon(job: JobRecord, reason: string): Promise<void>;
  leaseMs?: number;
  /** How often the lease is renewed and `/agent stop` is looked for (default a third of the lease). */
  heartbeatMs?: number;
  pollMs?: number;
  /** Runs of one job (counting runs whose worker died) before it is abandoned. */
  maxRuns?: number;
}

export interface Worker {
  /** Stops leasing, aborts the running job, waits for it to settle. */
  stop(): Promise<void>;
  /** Resolves when no job is running and none is ready (for tests and shutdown). */
  drained(): Promise<void>;
}

/** One in-process worker: leases jobs one at a time, heartbeats while a job runs. */
export function startWorker(deps: WorkerDeps): Worker {
  const leaseMs = deps.leaseMs ?? 60_000;
  const pollMs = deps.pollMs ?? 2_000;
  const maxRuns = deps.maxRuns ?? 3;
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const controller = new AbortController();
  let current: AbortController | undefined;
  let wake: (() => void) | undefined;
  let drainedWaiters: (() => void)[] = [];
  const unsubscribe = deps.queue.onEnqueued(() => wake?.());
  reclaimFromDeadProcesses(deps.queue, deps.log);

  const runOne = async (job: JobRecord): Promise<void> => {
    const log = deps.log.child({ jobId: job.id, repo: `${job.payload.repo.owner}/${job.payload.repo.name}` });
    const jobController = new AbortController();
    current = jobController;
    // The heartbeat also carries `/agent stop` from the webhook process to this job.
    const heartbeat = setInterval(() => {
      if (!deps.queue.heartbeat(job.id, owner, leaseMs)) log.warn("lease lost");
      const by = deps.queue.cancelRequestedBy(job.id);
      if (by !== null && !jobController.signal.aborted) {
        log.info({ by }, "stop requested");
        jobController.abort(new JobCancelled(by));
      }
    }, deps.heartbeatMs ?? Math.max(1000, Math.floor(leaseMs / 3)));
    try {
      if (job.attempts > maxRuns) {
        const reason = `the worker running this job stopped unexpectedly ${job.attempts - 1} times`;
        log.error({ attempts: job.attempts }, "abandoning job");
        await deps.abandon(job, reason);
        deps.queue.finish(job.id, owner, "failed", reason);
        return;
      }
      if (job.attempts > 1) log.warn({ attempts: job.attempts }, "resuming job left running by a stopped worker");
      const result = await deps.process(job, jobController.signal);
      if (result.state === "retry") deps.queue.retryLater(job.id, owner, result.delayMs, result.reason);
      else deps.queue.finish(job.id, owner, result.state, result.summary);
      log.info({ state: result.state, summary: result.state === "retry" ? result.reason : result.summary }, "job done");
    } catch (error) {
      // The pipeline reports its own failures; reaching here is a bug, still never lost.
      log.error({ err: error }, "job crashed");
      deps.queue.finish(job.id, owner, "failed", `internal error: ${(error as Error).message}`);
    } finally {
      clearInterval(heartbeat);
      current = undefined;
    }
  };

  const loop = (async () => {
    while (!controller.signal.aborted) {
      let job: JobRecord | null = null;
      try {
        job = deps.queue.lease(owner, leaseMs);
      } catch (error) {
        deps.log.error({ err: error }, "lease failed");
      }
      if (job) {
        await runOne(job);
        continue;
      }
      for (const resolve of drainedWaiters) resolve();
      drainedWaiters = [];
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  })();

  return {
    async stop() {
      controller.abort(SHUTDOWN);
      current?.abort(SHUTDOWN);
      unsubscribe();
      wake?.();
      await loop;
    },
    drained() {
      return new Promise((resolve) => {
        drainedWaiters.push(resolve);
        wake?.();
      });
    },
  };
}

/**
 * A job left running by a process of this host that no longer exists (a crash,
 * a kill -9, a reboot) is taken back at once instead of after its lease expires.
 * Owners are `host:pid:nonce`; other hosts' leases are left to expire.
 */
export function reclaimFromDeadProcesses(queue: JobQueue, log: Logger, isAlive: (pid: number) => boolean = pidAlive): void {
  for (const { id, owner } of queue.leases()) {
    const [host, pid] = owner.split(":");
    if (host !== hostname() || pid === undefined || isAlive(Number(pid))) continue;
    log.warn({ jobId: id, owner }, "reclaiming a job left running by a stopped process");
    queue.expireLease(id, owner);
  }
}

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
