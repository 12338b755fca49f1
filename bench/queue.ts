/**
 * Benchmark of the job queue: jobs per second through enqueue → lease →
 * finish, on each backend (SQLite, Redis), with one and two worker processes.
 *
 *   npm run bench:queue -- [--jobs 600] [--rounds 5] [--backends sqlite,redis]
 *
 * A worker is its own process (bench/lib/queue-worker.ts) with its own
 * connection to the store, looping lease → finish (no work in between) with
 * a distinct owner; no tenant caps. Per run, on a fresh store (a new SQLite
 * file; a new key prefix on one real redis-server, test/support/redis-server.ts):
 *   - enqueue only: this process enqueues JOBS jobs (distinct dedupe keys),
 *     one at a time as the webhook handler does, with no worker running;
 *   - 1 worker, 2 workers: the workers are started and idle, then this process
 *     enqueues JOBS jobs while they drain them; the time is from the first
 *     enqueue to the last finish (the workers report when they finished their
 *     last job), so jobs/s is what the whole path sustains.
 * Rounds alternate the backends (and reverse the order of the cases) so that
 * machine load hits all alike; the table gives medians over rounds.
 * Every run is checked: each enqueued job was finished exactly once, by one
 * worker, and the store holds it succeeded after one attempt, nothing live.
 * The last line is one JSON object with the headline figures.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { JobQueue } from "../src/queue/job-queue.ts";
import { ciPayload } from "../test/queue/payloads.ts";
import { startRedisServer, type RedisServer } from "../test/support/redis-server.ts";
import { openBenchQueue, retryWhileBusy, type QueueBackendKind, type QueueBackendSpec } from "./lib/queue-backends.ts";
import { probeFsyncMs } from "./lib/queue-fsync-probe.ts";
import { spawnQueueWorker, type QueueWorkerProcess } from "./lib/queue-spawn-worker.ts";
import { positiveInt } from "./lib/positive-int.ts";
import { epochMs, median, printTable } from "./lib/queue-stats.ts";

const { values } = parseArgs({
  options: {
    jobs: { type: "string", default: "600" },
    rounds: { type: "string", default: "5" },
    backends: { type: "string", default: "sqlite,redis" },
  },
});
const jobs = positiveInt("jobs", values.jobs);
const rounds = positiveInt("rounds", values.rounds);
const backends = values.backends.split(",").map((b) => b.trim()) as QueueBackendKind[];
for (const b of backends) {
  if (b !== "sqlite" && b !== "redis") {
    console.error(`--backends takes sqlite and/or redis (comma-separated), got ${b}`);
    process.exit(2);
  }
}
const WARMUP_JOBS = 200;
/** 0 workers: enqueue only. */
const CASES = [0, 1, 2] as const;
type Workers = (typeof CASES)[number];

interface Run {
  readonly backend: QueueBackendKind;
  readonly workers: Workers;
  readonly wallMs: number;
  /** Time to enqueue the batch (while the workers drain it, when there are any). */
  readonly enqueueMs: number;
  /** Leases that found nothing ready while the batch was still being enqueued (workers waiting for the producer). */
  readonly emptyLeases: number;
  /** Finished jobs per worker, in owner order. */
  readonly perWorker: number[];
  /**
   * Calls that gave up waiting for SQLite's write lock after its 5 s
   * busy_timeout (retried): the producer's enqueues, the workers' leases and finishes.
   */
  readonly busy: { readonly producer: number; readonly workers: number };
}

const scratch = mkdtempSync(join(tmpdir(), "patchwright-bench-queue-"));
let redis: RedisServer | null = null;
let storeCount = 0;
/** What `verify` checked: runs and jobs drained by workers, runs and jobs only enqueued. */
const checked = { drainedRuns: 0, drainedJobs: 0, enqueuedRuns: 0, enqueuedJobs: 0 };
/** A fresh, empty store of this backend. */
const freshStore = (backend: QueueBackendKind): QueueBackendSpec => {
  storeCount += 1;
  if (backend === "sqlite") return { kind: "sqlite", dataDir: join(scratch, `store-${storeCount}`) };
  if (redis === null) throw new Error("redis-server is not running");
  return { kind: "redis", url: redis.url, keyPrefix: `bench-queue-${storeCount}:` };
};

/** Distinct dedupe keys and commits; one repository (no caps apply). */
const enqueueBatch = async (queue: JobQueue, round: string, count: number, onBusy: () => void): Promise<number[]> => {
  const ids: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const sha = (i + 1).toString(16).padStart(40, "0");
    const { created, job } = await retryWhileBusy(() => queue.enqueue(ciPayload({ sha }), `bench:${round}:${i}`), onBusy);
    if (!created) throw new Error(`job ${i} was not created (dedupe key seen before)`);
    ids.push(job.id);
  }
  return ids;
};

/**
 * Each enqueued job finished exactly once (`finishedLists`, one per worker),
 * and the store agrees; with no worker, each is stored queued. Throws otherwise.
 */
const verify = async (queue: JobQueue, enqueued: readonly number[], finishedLists: readonly (readonly number[])[] | null): Promise<void> => {
  const stored = await queue.list();
  const depth = await queue.depth();
  const problems: string[] = [];
  if (stored.length !== enqueued.length || new Set(enqueued).size !== enqueued.length) problems.push(`${stored.length} jobs stored for ${enqueued.length} enqueued`);
  if (finishedLists === null) {
    const notQueued = stored.filter((job) => job.state !== "queued" || job.attempts !== 0).length;
    if (notQueued > 0 || depth.queued !== enqueued.length) problems.push(`${notQueued} not queued, depth ${depth.queued}`);
  } else {
    const counts = new Map<number, number>(enqueued.map((id) => [id, 0]));
    let strangers = 0;
    for (const id of finishedLists.flat()) {
      const n = counts.get(id);
      if (n === undefined) strangers += 1;
      else counts.set(id, n + 1);
    }
    const lost = [...counts.values()].filter((n) => n === 0).length;
    const doubled = [...counts.values()].filter((n) => n > 1).length;
    const notDone = stored.filter((job) => job.state !== "succeeded" || job.attempts !== 1).length;
    if (lost + doubled + strangers > 0) problems.push(`${lost} never finished, ${doubled} finished more than once, ${strangers} unknown ids finished`);
    if (notDone + depth.queued + depth.running > 0) {
      problems.push(`store: ${depth.queued} queued, ${depth.running} running, ${notDone} not succeeded after exactly one attempt`);
    }
  }
  if (problems.length > 0) throw new Error(`the queue lost or doubled jobs: ${problems.join("; ")}`);
  if (finishedLists === null) {
    checked.enqueuedRuns += 1;
    checked.enqueuedJobs += enqueued.length;
  } else {
    checked.drainedRuns += 1;
    checked.drainedJobs += enqueued.length;
  }
};

const runOnce = async (backend: QueueBackendKind, workers: Workers, round: number, count = jobs): Promise<Run> => {
  const spec = freshStore(backend);
  const queue = await openBenchQueue(spec);
  const children: QueueWorkerProcess[] = [];
  try {
    for (let w = 0; w < workers; w += 1) children.push(await spawnQueueWorker(spec, `bench-${backend}-r${round}-w${w + 1}`));
    const started = epochMs();
    for (const child of children) child.go();
    let producerBusy = 0;
    const enqueued = await enqueueBatch(queue, `${round}`, count, () => void (producerBusy += 1));
    const enqueueMs = epochMs() - started;
    for (const child of children) child.enqueued();
    const reports = await Promise.all(children.map((child) => child.report));
    const lastFinish = Math.max(...reports.map((r) => r.lastFinishAt ?? 0));
    await verify(queue, enqueued, workers === 0 ? null : reports.map((r) => r.finished));
    return {
      backend,
      workers,
      wallMs: workers === 0 ? enqueueMs : lastFinish - started,
      enqueueMs,
      emptyLeases: reports.reduce((sum, r) => sum + r.emptyLeases, 0),
      perWorker: reports.map((r) => r.finished.length),
      busy: { producer: producerBusy, workers: reports.reduce((sum, r) => sum + r.busyErrors, 0) },
    };
  } finally {
    for (const child of children) child.kill();
    await queue.close();
    if (spec.kind === "sqlite") rmSync(spec.dataDir, { recursive: true, force: true });
  }
};

const results: Run[] = [];
const fsyncMs: number[] = [];
try {
  fsyncMs.push(probeFsyncMs(scratch));
  if (backends.includes("redis")) redis = await startRedisServer();
  // A warm-up run per backend (module loading, JIT, the first SQLite file), checked but not counted.
  for (const backend of backends) await runOnce(backend, 1, 0, Math.min(jobs, WARMUP_JOBS));
  for (let r = 1; r <= rounds; r += 1) {
    const backendOrder = r % 2 === 1 ? backends : [...backends].reverse();
    const caseOrder = r % 2 === 1 ? CASES : [...CASES].reverse();
    for (const backend of backendOrder) for (const workers of caseOrder) results.push(await runOnce(backend, workers, r));
  }
  fsyncMs.push(probeFsyncMs(scratch));
} finally {
  await redis?.close();
  rmSync(scratch, { recursive: true, force: true });
}

const of = (backend: QueueBackendKind, workers: Workers) => results.filter((r) => r.backend === backend && r.workers === workers);
const rate = (ms: number) => jobs / (ms / 1000);
const summary = (backend: QueueBackendKind, workers: Workers) => {
  const runs = of(backend, workers);
  const rates = runs.map((r) => rate(r.wallMs));
  return {
    perSecond: median(rates),
    min: Math.min(...rates),
    max: Math.max(...rates),
    wallMs: median(runs.map((r) => r.wallMs)),
    enqueuePerSecond: median(runs.map((r) => rate(r.enqueueMs))),
    emptyLeases: median(runs.map((r) => r.emptyLeases)),
    busy: `${runs.reduce((sum, r) => sum + r.busy.producer, 0)}/${runs.reduce((sum, r) => sum + r.busy.workers, 0)}`,
    split: runs.map((r) => r.perWorker.join("/")),
  };
};
const LABEL: Record<Workers, string> = { 0: "enqueue only", 1: "1 worker", 2: "2 workers" };

console.log(
  `${rounds} rounds of ${jobs} jobs per case and backend (after one warm-up run each), ${availableParallelism()} CPUs; ` +
    "a worker is a process looping lease → finish; time from the first enqueue to the last finish.",
);
console.log(
  `One fsync in the scratch directory (SQLite waits for one per commit; enqueue, lease and finish are a commit each): ` +
    `${fsyncMs.map((ms) => `${ms.toFixed(2)} ms`).join(" before, ")} after (median of 50).`,
);
console.log("Per run (jobs/s):");
printTable([
  ["round", ...backends.flatMap((b) => CASES.map((w) => `${b} ${LABEL[w]}`))],
  ...Array.from({ length: rounds }, (_, i) => [
    String(i + 1),
    ...backends.flatMap((b) => CASES.map((w) => rate(of(b, w)[i]?.wallMs ?? Number.NaN).toFixed(0))),
  ]),
]);
console.log(`Medians over ${rounds} rounds:`);
printTable([
  ["backend", "case", "jobs/s", "min", "max", "wall", "enqueue rate", "empty leases", "busy errors (producer/workers)", "jobs per worker (each round)"],
  ...backends.flatMap((b) =>
    CASES.map((w) => {
      const s = summary(b, w);
      return [
        b,
        LABEL[w],
        s.perSecond.toFixed(0),
        s.min.toFixed(0),
        s.max.toFixed(0),
        `${s.wallMs.toFixed(0)} ms`,
        `${s.enqueuePerSecond.toFixed(0)}/s`,
        w === 0 ? "" : s.emptyLeases.toFixed(0),
        s.busy,
        w === 0 ? "" : s.split.join(" "),
      ];
    }),
  ),
]);
console.log(
  `Correctness (warm-up included): ${checked.drainedRuns} runs with workers, ${checked.drainedJobs} jobs: every job finished exactly once ` +
    "(0 lost, 0 doubled), each stored as succeeded after one attempt, nothing left queued or running; " +
    `${checked.enqueuedRuns} enqueue-only runs, ${checked.enqueuedJobs} jobs: each stored once, queued.`,
);
console.log(
  "enqueue rate: while the workers drain (for the worker cases); empty leases: a worker found nothing ready and waited 2 ms for the producer; " +
    "busy errors (summed over rounds): a call gave up on SQLite's write lock after its 5 s busy_timeout (retried, so no job was lost; each cost up to 5 s of that process's time).",
);

const headline = Object.fromEntries(
  backends.flatMap((b) => [
    [`${b}_enqueue_per_s`, Math.round(summary(b, 0).perSecond)],
    [`${b}_1_worker_per_s`, Math.round(summary(b, 1).perSecond)],
    [`${b}_2_workers_per_s`, Math.round(summary(b, 2).perSecond)],
  ]),
);
console.log(JSON.stringify({ jobs, rounds, cpus: availableParallelism(), fsync_ms: fsyncMs.map((ms) => Number(ms.toFixed(2))), ...headline, jobs_checked: checked.drainedJobs, lost: 0, doubled: 0 }));
