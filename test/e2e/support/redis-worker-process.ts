/**
 * A queue worker in a process of its own, on the Redis queue, for the tests
 * that kill one (`redis-workers-killed.test.ts`). It runs `startWorker` as the
 * app does; a job's work is a timer of `--work-ms` (a job takes that long),
 * after which the worker appends `work.done` (with its pid) to the job's
 * ledger: the side effect the test counts, recorded before `finish` like a
 * pushed branch is.
 *
 *   node test/e2e/support/redis-worker-process.ts --redis-url redis://127.0.0.1:6379 \
 *     --key-prefix e2e: --name a [--concurrency 2] [--lease-ms 2000] [--work-ms 300] [--hang-after 4]
 *
 * `--hang-after n`: the jobs it starts after its n-th never end (a build that
 * hangs), so a test can kill it while it is provably in the middle of them and
 * has completed all the others: with timers alone, a kill could land between a
 * job's work and its `finish`, and at-least-once delivery rightly runs such a
 * job again.
 *
 * Stdout, one line per event: `ready <pid>`, `started <job id> <attempts>`,
 * `done <job id>`. Logs (warnings and up) go to stderr. SIGTERM stops the
 * worker (running jobs are put back) and exits 0.
 */
import { setTimeout as delay } from "node:timers/promises";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { openRedisQueue } from "../../../src/queue/redis-queue.ts";
import { startWorker, type JobResult } from "../../../src/queue/start-worker.ts";
import type { JobRecord } from "../../../src/queue/job.ts";

const { values } = parseArgs({
  strict: true,
  options: {
    "redis-url": { type: "string" },
    "key-prefix": { type: "string" },
    name: { type: "string" },
    concurrency: { type: "string", default: "2" },
    "lease-ms": { type: "string", default: "2000" },
    "work-ms": { type: "string", default: "300" },
    "hang-after": { type: "string" },
  },
});
const url = required("redis-url");
const keyPrefix = required("key-prefix");
const name = required("name");
const concurrency = count("concurrency");
const leaseMs = count("lease-ms");
const workMs = count("work-ms");
const hangAfter = values["hang-after"] === undefined ? Infinity : count("hang-after");

const log = pino({ level: "warn", base: { worker: name, pid: process.pid } }, pino.destination(2));
const queue = await openRedisQueue({ url, keyPrefix });
let started = 0;

/** The job's work: `workMs` of it, or a hang; either ends early when the worker stops. */
async function work(job: JobRecord, signal: AbortSignal): Promise<JobResult> {
  started++;
  say(`started ${job.id} ${job.attempts}`);
  try {
    if (started > hangAfter) await new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason as Error), { once: true }));
    else await delay(workMs, undefined, { signal });
  } catch (error) {
    if (signal.aborted) return { state: "retry", delayMs: 0, reason: "worker stopped" };
    throw error;
  }
  await queue.appendLedger(job.id, "work.done", { pid: process.pid, worker: name });
  say(`done ${job.id}`);
  return { state: "succeeded", summary: `done by ${name} (pid ${process.pid})` };
}

// Idle workers look for expired leases every 100 ms: a dead worker's jobs come back soon after `leaseMs`.
const worker = startWorker({
  queue,
  log,
  concurrency,
  leaseMs,
  pollMs: 100,
  process: work,
  abandon: async (job, reason) => log.error({ jobId: job.id, reason }, "job abandoned"),
});
say(`ready ${process.pid}`);

process.once("SIGTERM", () => {
  void worker
    .stop()
    .then(() => queue.close())
    .then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, "could not stop");
        process.exit(1);
      },
    );
});

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function required(option: "redis-url" | "key-prefix" | "name"): string {
  const value = values[option];
  if (value === undefined) throw new Error(`--${option} is required (see the usage at the top of redis-worker-process.ts)`);
  return value;
}

function count(option: "concurrency" | "lease-ms" | "work-ms" | "hang-after"): number {
  const value = Number(values[option]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${option} must be a whole number, not ${values[option]}`);
  return value;
}
