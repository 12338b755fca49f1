/**
 * Benchmark of the worker's concurrency slots: a batch of JOBS identical jobs,
 * each a sandbox start plus a CPU-bound command in real bubblewrap, run by
 * the real worker (`startWorker`) over the SQLite queue with `concurrency: K`.
 * With K slots the batch should finish about K times faster than with one,
 * until the machine's cores run out; this prints the curve.
 *
 *   npm run bench:concurrency -- [--jobs 12] [--slots 1,2,3,4,6] [--rounds 4] [--job-ms 500] [--iterations N]
 *
 * The workload (bench/lib/concurrency-workload.ts) is a fresh workspace, a
 * sandbox on it and a Python loop of a fixed number of iterations, calibrated
 * at start so that one job alone takes about JOB_MS (or `--iterations`).
 * Each job has its own repository and the tenant caps equal K, so they never
 * hold a job back. Per run: a fresh queue with the JOBS jobs, a worker started,
 * timed until it has drained the queue. Rounds run every K, in an order
 * rotated each round so that machine load hits all alike; the table gives
 * medians over rounds, the speedup against K = 1 of the same run, and the
 * efficiency (speedup / K). Every run is checked: each job succeeded once,
 * and at most K (and, when enough jobs, exactly K) ran at once.
 * The last line is one JSON object with the curve.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { pino } from "pino";
import type { JobRecord } from "../src/queue/job.ts";
import { openSqliteQueue } from "../src/queue/sqlite-queue.ts";
import { startWorker, type JobResult } from "../src/queue/start-worker.ts";
import { ciPayload } from "../test/queue/payloads.ts";
import { idleCores, readCpuTicks } from "./lib/concurrency-cpu.ts";
import { calibrateWorkload, requireBubblewrap, runWorkloadJob } from "./lib/concurrency-workload.ts";
import { positiveInt } from "./lib/positive-int.ts";
import { median, printTable } from "./lib/queue-stats.ts";

const { values } = parseArgs({
  options: {
    jobs: { type: "string", default: "12" },
    slots: { type: "string", default: "1,2,3,4,6" },
    rounds: { type: "string", default: "4" },
    "job-ms": { type: "string", default: "500" },
    iterations: { type: "string" },
  },
});
const jobs = positiveInt("jobs", values.jobs);
const rounds = positiveInt("rounds", values.rounds);
const targetJobMs = positiveInt("job-ms", values["job-ms"]);
const slots = [...new Set([1, ...values.slots.split(",").map((k) => positiveInt("slots", k.trim()))])].sort((a, b) => a - b);
const cpus = availableParallelism();
const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

interface Run {
  readonly k: number;
  readonly wallMs: number;
  /** Duration of each job (workspace, sandbox, command), as `process` saw it. */
  readonly jobMs: number[];
  /** CPU time of each job's command (the Python process in the sandbox). */
  readonly cpuMs: number[];
  /** Most jobs in `process` at once. */
  readonly peak: number;
  /** Cores of the machine left idle during the run (/proc/stat). */
  readonly idle: number;
}

const scratch = mkdtempSync(join(tmpdir(), "patchwright-bench-concurrency-"));
const log = pino({ level: "silent" });

const runOnce = async (k: number, iterations: number, round: number): Promise<Run> => {
  const dataDir = join(scratch, `queue-${round}-${k}`);
  const queue = openSqliteQueue({ dataDir });
  const jobMs: number[] = [];
  const cpuMs: number[] = [];
  const failures: string[] = [];
  let inFlight = 0;
  let peak = 0;
  const processJob = async (job: JobRecord, signal: AbortSignal): Promise<JobResult> => {
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    try {
      const timing = await runWorkloadJob(scratch, iterations, signal);
      jobMs.push(timing.ms);
      cpuMs.push(timing.cpuMs);
      return { state: "succeeded", summary: "workload done" };
    } catch (error) {
      failures.push(`job ${job.id}: ${String(error)}`);
      return { state: "failed", summary: String(error) };
    } finally {
      inFlight -= 1;
    }
  };
  try {
    for (let i = 0; i < jobs; i += 1) {
      const sha = (i + 1).toString(16).padStart(40, "0");
      await queue.enqueue(ciPayload({ sha, repoName: `repo-${i}` }), `bench:${i}`);
    }
    const ticks = readCpuTicks();
    const started = performance.now();
    const worker = startWorker({
      queue,
      log,
      concurrency: k,
      caps: { perInstallation: k, perRepository: k },
      process: processJob,
      abandon: async () => {},
    });
    await worker.drained();
    const wallMs = performance.now() - started;
    const idle = idleCores(ticks, readCpuTicks(), cpus);
    await worker.stop();

    const stored = await queue.list();
    const wrong = stored.filter((job) => job.state !== "succeeded" || job.attempts !== 1).length;
    if (failures.length > 0 || wrong > 0 || stored.length !== jobs || jobMs.length !== jobs || peak > k || peak < Math.min(k, jobs)) {
      throw new Error(
        `K=${k}: ${jobMs.length}/${jobs} jobs ran, ${wrong} not succeeded after one attempt, ${peak} at once at most; ${failures.slice(0, 3).join("; ")}`,
      );
    }
    return { k, wallMs, jobMs, cpuMs, peak, idle };
  } finally {
    await queue.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
};

const results: Run[] = [];
let calibration: Awaited<ReturnType<typeof calibrateWorkload>> | null = null;
const loadBefore = loadAverage();
try {
  await requireBubblewrap(scratch);
  const ticks = readCpuTicks();
  await sleep(1000);
  const idleBefore = idleCores(ticks, readCpuTicks(), cpus);
  if (values.iterations === undefined) calibration = await calibrateWorkload(scratch, targetJobMs);
  const iterations = values.iterations === undefined ? (calibration?.iterations ?? 1) : positiveInt("iterations", values.iterations);
  for (let r = 0; r < rounds; r += 1) {
    // Rotated: each K goes first in some round, so none always runs on the heels of the heaviest.
    const order = slots.map((_, i) => slots[(i + r) % slots.length] ?? 1);
    for (const k of order) results.push(await runOnce(k, iterations, r));
  }

  const of = (k: number) => results.filter((run) => run.k === k);
  const wall = (k: number) => median(of(k).map((run) => run.wallMs));
  const base = wall(1);
  const curve = slots.map((k) => {
    const speedup = base / wall(k);
    return {
      k,
      wallMs: wall(k),
      min: Math.min(...of(k).map((run) => run.wallMs)),
      max: Math.max(...of(k).map((run) => run.wallMs)),
      speedup,
      efficiency: speedup / k,
      ideal: Math.min(k, cpus, jobs),
      jobMs: median(of(k).flatMap((run) => run.jobMs)),
      // Cores the commands kept busy on average over the run (their CPU time / the wall time).
      coresBusy: median(of(k).map((run) => run.cpuMs.reduce((a, b) => a + b, 0) / run.wallMs)),
      // How full the K slots were: time spent in jobs / (K x wall time).
      idle: median(of(k).map((run) => run.idle)),
      occupancy: median(of(k).map((run) => run.jobMs.reduce((a, b) => a + b, 0) / (run.k * run.wallMs))),
      peak: Math.max(...of(k).map((run) => run.peak)),
    };
  });

  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  console.log(
    `${jobs} jobs per run, ${rounds} rounds, K in ${slots.join(", ")}; os.availableParallelism() = ${cpus}; ` +
      `${idleBefore.toFixed(2)} cores idle before the start (1 s); load average ${loadBefore} before, ${loadAverage()} after.`,
  );
  console.log(
    `Job: new workspace + createSandbox (bubblewrap) + python3 loop of ${iterations} iterations + removal` +
      (calibration
        ? ` (calibrated to ${targetJobMs} ms alone: ${calibration.fixedMs.toFixed(0)} ms without the loop, ${calibration.perMillionMs.toFixed(0)} ms per million iterations).`
        : " (set by --iterations)."),
  );
  console.log("Per run (wall time):");
  printTable([
    ["round", ...slots.map((k) => `K=${k}`)],
    ...Array.from({ length: rounds }, (_, r) => [String(r + 1), ...slots.map((k) => s(of(k)[r]?.wallMs ?? Number.NaN))]),
  ]);
  console.log(`Medians over ${rounds} rounds:`);
  printTable([
    ["slots K", "wall", "min", "max", "speedup vs K=1", "efficiency", "ideal min(K, cpus)", "per job", "slot occupancy", "cores busy", "cores idle", "peak at once"],
    ...curve.map((c) => [
      String(c.k),
      s(c.wallMs),
      s(c.min),
      s(c.max),
      `${c.speedup.toFixed(2)}x`,
      `${(c.efficiency * 100).toFixed(0)}%`,
      `${c.ideal}x`,
      s(c.jobMs),
      `${(c.occupancy * 100).toFixed(0)}%`,
      c.coresBusy.toFixed(2),
      c.idle.toFixed(2),
      String(c.peak),
    ]),
  ]);
  console.log(
    `Checked: ${results.length} runs, ${results.length * jobs} jobs, each succeeded after one attempt; every run had exactly min(K, ${jobs}) jobs running at its peak. ` +
      "per job: one job's time (workspace, sandbox, command) inside the worker, it grows once K exceeds the free cores; " +
      "slot occupancy: time in jobs / (K x wall); cores busy: the commands' CPU time / wall; cores idle: the machine's, during the run (/proc/stat).",
  );
  if (idleBefore < cpus * 0.75) {
    console.log(
      `Note: only ${idleBefore.toFixed(2)} of ${cpus} cores were idle before the start: other processes compete for the CPU, so more slots also take ` +
        "a larger share of it from them, and the curve can exceed min(K, cores). Run it on a quiet machine for the curve of this one.",
    );
  }
  const round2 = (x: number) => Number(x.toFixed(2));
  console.log(
    JSON.stringify({
      jobs,
      rounds,
      cpus,
      idle_cores_before: round2(idleBefore),
      iterations,
      job_alone_ms: Math.round(curve[0]?.jobMs ?? 0),
      curve: curve.map((c) => ({
        k: c.k,
        wall_ms: Math.round(c.wallMs),
        speedup: round2(c.speedup),
        efficiency: round2(c.efficiency),
        cores_busy: round2(c.coresBusy),
        cores_idle: round2(c.idle),
      })),
      speedup_at_cpus: round2(curve.find((c) => c.k === cpus)?.speedup ?? Number.NaN),
      max_speedup: round2(Math.max(...curve.map((c) => c.speedup))),
    }),
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
