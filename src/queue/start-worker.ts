import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { JobCancelled, SHUTDOWN } from "./job-cancelled.ts";
import type { JobRecord, JobResult } from "./job.ts";
import type { JobQueue, TenantCaps } from "./job-queue.ts";

export type { JobResult } from "./job.ts";

export interface WorkerDeps {
  queue: JobQueue;
  log: Logger;
  /** Runs one job to an outcome; must not throw (the pipeline reports its own failures). */
  process(job: JobRecord, signal: AbortSignal): Promise<JobResult>;
  /** A job whose worker died too often: report it where its requester will see it. */
  abandon(job: JobRecord, reason: string): Promise<void>;
  leaseMs?: number;
  /** How often each running job's lease is renewed (default a third of the lease). */
  heartbeatMs?: number;
  /** How often each running job looks for `/agent stop` (default every second, or each heartbeat if sooner). */
  cancelPollMs?: number;
  pollMs?: number;
  /** Runs of one job (counting runs whose worker died) before it is abandoned. */
  maxRuns?: number;
  /**
   * Jobs this worker runs at once (default 1). It counts jobs, not fixers: a
   * job's parallel fixers share its slot (docs/0014-concurrency.md).
   */
  concurrency?: number;
  /** Jobs one installation or repository may have running at once, across every worker of the store. */
  caps?: TenantCaps;
  /**
   * Speculative work for a job that waits (its coalescing delay, or a tenant
   * cap): only what writes nothing to GitHub and spends no model tokens, such
   * as fetching its commit. A worker with a free slot does it once per job,
   * one job at a time; a failure only costs the job its head start.
   */
  prepare?(job: JobRecord): Promise<void>;
}

export interface Worker {
  /** Stops leasing, aborts every running job (they are put back), waits for them to settle. */
  stop(): Promise<void>;
  /** Resolves when no job is running and none is ready (for tests and shutdown). */
  drained(): Promise<void>;
}

/** One in-process worker: leases up to `concurrency` jobs, each with its own heartbeat and abort controller. */
/** Tries to write a job's outcome to the store before leaving it to the lease's expiry. */
const SETTLE_TRIES = 3;

export function startWorker(deps: WorkerDeps): Worker {
  const leaseMs = deps.leaseMs ?? 60_000;
  const heartbeatMs = deps.heartbeatMs ?? Math.max(1000, Math.floor(leaseMs / 3));
  const cancelPollMs = deps.cancelPollMs ?? Math.min(1000, heartbeatMs);
  const pollMs = deps.pollMs ?? 2_000;
  const maxRuns = deps.maxRuns ?? 3;
  const concurrency = Math.max(1, Math.floor(deps.concurrency ?? 1));
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const stopping = new AbortController();
  const running = new Map<number, { controller: AbortController; done: Promise<void> }>();
  // A wake-up while the loop is busy is kept, so a job finishing mid-lease is never missed.
  let woken = false;
  let wakeLoop: (() => void) | undefined;
  const wake = () => {
    woken = true;
    wakeLoop?.();
  };
  let drainedWaiters: (() => void)[] = [];
  const unsubscribe = deps.queue.onEnqueued(wake);

  const runOne = async (job: JobRecord, controller: AbortController): Promise<void> => {
    const log = deps.log.child({ jobId: job.id, delivery: job.payload.deliveryId, repo: `${job.payload.repo.owner}/${job.payload.repo.name}` });
    // A store that fails for a moment (a busy lock) must not crash the process from a timer.
    const heartbeat = setInterval(() => {
      deps.queue.heartbeat(job.id, owner, leaseMs).then(
        (held) => {
          if (!held) log.warn("lease lost");
        },
        (error: unknown) => log.warn({ err: error }, "heartbeat failed"),
      );
    }, heartbeatMs);
    // `/agent stop` arrives through the store, from whichever process took the command.
    const cancelPoll = setInterval(() => {
      deps.queue.cancelRequestedBy(job.id).then(
        (by) => {
          if (by === null || controller.signal.aborted) return;
          log.info({ by }, "stop requested");
          controller.abort(new JobCancelled(by));
        },
        (error: unknown) => log.warn({ err: error }, "could not read a stop request"),
      );
    }, cancelPollMs);
    // The outcome is written with a few tries: a store busy for a moment must not lose it, nor crash the
    // process. If it still fails, the lease expires and the job runs again (stages are idempotent).
    const settle = async (write: () => Promise<void>) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await write();
        } catch (error) {
          if (attempt >= SETTLE_TRIES) return log.error({ err: error }, "could not record the job's outcome: it will run again when its lease expires");
          await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
        }
      }
    };
    try {
      if (job.attempts > maxRuns) {
        const reason = `the worker running this job stopped unexpectedly ${job.attempts - 1} times`;
        log.error({ attempts: job.attempts }, "abandoning job");
        await deps.abandon(job, reason);
        await settle(() => deps.queue.finish(job.id, owner, "failed", reason));
        return;
      }
      if (job.attempts > 1) log.warn({ attempts: job.attempts }, "resuming job left running by a stopped worker");
      const result = await deps.process(job, controller.signal);
      // Put back by our own shutdown: that run does not count towards `maxRuns` or the job's attempts.
      const shutdown = result.state === "retry" && controller.signal.reason === SHUTDOWN;
      await settle(() =>
        result.state === "retry" ? deps.queue.retryLater(job.id, owner, result.delayMs, result.reason, { uncountRun: shutdown }) : deps.queue.finish(job.id, owner, result.state, result.summary),
      );
      log.info({ state: result.state, summary: result.state === "retry" ? result.reason : result.summary }, "job done");
    } catch (error) {
      // The pipeline reports its own failures; reaching here is a bug, still never lost.
      log.error({ err: error }, "job crashed");
      await settle(() => deps.queue.finish(job.id, owner, "failed", `internal error: ${(error as Error).message}`));
    } finally {
      clearInterval(heartbeat);
      clearInterval(cancelPoll);
    }
  };

  /** Leases jobs into the free slots; false when none was ready. */
  const fill = async (): Promise<boolean> => {
    let leased = false;
    while (!stopping.signal.aborted && running.size < concurrency) {
      let job: JobRecord | null = null;
      try {
        job = await deps.queue.lease(owner, leaseMs, deps.caps);
      } catch (error) {
        deps.log.error({ err: error }, "lease failed");
      }
      if (!job) break;
      leased = true;
      const { id } = job;
      const controller = new AbortController();
      const done = runOne(job, controller).finally(() => {
        running.delete(id);
        wake();
      });
      running.set(id, { controller, done });
    }
    return leased;
  };

  // A job waiting out a delay is leased when it becomes due, not at the next poll: one timer walks
  // the due times of the waiting jobs last listed, in order.
  let dueTimer: ReturnType<typeof setTimeout> | undefined;
  let dueTimes: number[] = [];
  const armDue = () => {
    clearTimeout(dueTimer);
    // Timers run on a monotonic clock and may fire a little before the wall clock the queue uses says.
    const now = Date.now();
    const passed = dueTimes.findIndex((at) => at > now);
    if (dueTimes.length > 0 && passed !== 0) {
      dueTimes = passed < 0 ? [] : dueTimes.slice(passed);
      wake();
    }
    const next = dueTimes[0];
    if (next === undefined) return;
    dueTimer = setTimeout(armDue, next - now + 1);
    dueTimer.unref?.();
  };
  // Ids of waiting jobs prepared already: pruned to the jobs still waiting at each listing.
  let prepared = new Set<number>();
  let lookingAhead: Promise<void> | null = null;
  /** The queued jobs; sets the wake-ups for those still to become due. */
  const listWaiting = async (): Promise<JobRecord[]> => {
    const waiting = (await deps.queue.live()).filter((job) => job.state === "queued");
    const now = Date.now();
    dueTimes = [...new Set(waiting.map((job) => job.runAfter).filter((at) => at > now))].sort((x, y) => x - y);
    armDue();
    prepared = new Set(waiting.filter((job) => prepared.has(job.id)).map((job) => job.id));
    return waiting;
  };
  /**
   * With a free slot: wake up when each waiting job is due, and prepare the
   * waiting jobs (`prepare`) one by one, listing them again once a listing's
   * are done, until none is left unprepared or a job takes the slot.
   */
  const lookAhead = () => {
    lookingAhead ??= (async () => {
      for (;;) {
        const unprepared = (await listWaiting()).filter((job) => job.attempts === 0 && !prepared.has(job.id));
        if (deps.prepare === undefined || unprepared.length === 0) return;
        for (const job of unprepared) {
          // A job that became due takes the slot: preparing is only for idle time.
          if (stopping.signal.aborted || running.size >= concurrency) return;
          prepared.add(job.id);
          await deps.prepare(job).catch((error: unknown) => deps.log.warn({ err: error, jobId: job.id }, "could not prepare a waiting job"));
        }
      }
    })()
      .catch((error: unknown) => deps.log.warn({ err: error }, "could not list the waiting jobs"))
      .finally(() => {
        lookingAhead = null;
      });
  };

  const loop = (async () => {
    await reclaimFromDeadProcesses(deps.queue, deps.log).catch((error: unknown) => deps.log.warn({ err: error }, "could not look for jobs left by stopped processes"));
    while (!stopping.signal.aborted) {
      woken = false;
      const leased = await fill();
      if (running.size < concurrency && !stopping.signal.aborted) lookAhead();
      if (!leased && running.size === 0) {
        for (const resolve of drainedWaiters) resolve();
        drainedWaiters = [];
      }
      if (woken) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wakeLoop = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wakeLoop = undefined;
    }
    await Promise.all([...running.values()].map((r) => r.done));
    clearTimeout(dueTimer);
    await lookingAhead;
  })();

  return {
    async stop() {
      stopping.abort(SHUTDOWN);
      for (const { controller } of running.values()) controller.abort(SHUTDOWN);
      unsubscribe();
      wake();
      await loop;
      for (const resolve of drainedWaiters) resolve();
      drainedWaiters = [];
    },
    drained() {
      return new Promise((resolve) => {
        drainedWaiters.push(resolve);
        wake();
      });
    },
  };
}

/**
 * A job left running by a process of this host that no longer exists (a crash,
 * a kill -9, a reboot) is taken back at once instead of after its lease expires.
 * Owners are `host:pid:nonce`; other hosts' leases are left to expire.
 */
export async function reclaimFromDeadProcesses(queue: JobQueue, log: Logger, isAlive: (pid: number) => boolean = pidAlive): Promise<void> {
  for (const { id, owner } of await queue.leases()) {
    const [host, pid] = owner.split(":");
    if (host !== hostname() || pid === undefined || isAlive(Number(pid))) continue;
    log.warn({ jobId: id, owner }, "reclaiming a job left running by a stopped process");
    await queue.expireLease(id, owner);
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
