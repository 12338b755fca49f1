import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as delay } from "node:timers/promises";
import { afterAll, expect, it } from "vitest";
import type { JobQueue } from "../../src/queue/job-queue.ts";
import { openRedisQueue } from "../../src/queue/redis-queue.ts";
import { ciPayload } from "../queue/payloads.ts";
import { startRedisServer, type RedisServer } from "../support/redis-server.ts";

/**
 * Two worker processes on one Redis split a batch; one is SIGKILLed in the
 * middle of two jobs. None is lost and none is doubled: the survivor takes the
 * dead worker's running jobs back once their leases expire and runs each once.
 *
 * "Doubled" here: a job whose work *completed* twice (two `work.done` ledger
 * entries, written by the worker after the job's work and before `finish`), or
 * that was started by more workers than the one re-run of a killed run allows.
 * A run killed before its work completed is not a completion; re-running it
 * (attempts 2) is what the lease is for.
 *
 * Worker A completes `A_COMPLETES` jobs, then the jobs it starts next hang
 * (`--hang-after`): killed once both its slots hold one, it is provably mid-job
 * on exactly those two and done with every other, whatever the timing.
 */

const ROOT = path.resolve(import.meta.dirname, "../..");
const SCRIPT = path.join(import.meta.dirname, "support/redis-worker-process.ts");
const BATCH = 30;
const CONCURRENCY = 2;
const LEASE_MS = 2000;
const A_COMPLETES = 4;
const KEY_PREFIX = "e2e-killed:";

let redis: RedisServer | undefined;
let queue: JobQueue | undefined;
const children: WorkerProcess[] = [];

afterAll(async () => {
  for (const child of children) await child.kill();
  await queue?.close();
  await redis?.close();
});

it("two workers on Redis split a batch with none lost or doubled when one is SIGKILLed", async () => {
  // Throws when redis-server is missing: the test fails, it is never skipped.
  redis = await startRedisServer();
  const q = (queue = await openRedisQueue({ url: redis.url, keyPrefix: KEY_PREFIX }));
  for (let n = 1; n <= BATCH; n++) {
    const { created } = await q.enqueue(ciPayload({ sha: n.toString(16).padStart(2, "0"), repoName: `r${n}` }), `batch-${n}`);
    expect(created).toBe(true);
  }

  // A first, so that it surely gets its share before B could take the whole batch.
  const a = await startWorkerProcess("a", ["--hang-after", String(A_COMPLETES)]);
  const b = await startWorkerProcess("b", []);
  await a.waitFor(`A to complete ${A_COMPLETES} jobs and start ${CONCURRENCY} more`, () => a.started().length === A_COMPLETES + CONCURRENCY);
  await b.waitFor("B to start a job", () => b.started().length > 0);
  expect(a.done()).toHaveLength(A_COMPLETES);
  const inFlight = a.started().map((s) => s.id).filter((id) => !a.done().includes(id));
  expect(inFlight).toHaveLength(CONCURRENCY);

  const linesOfAAtKill = a.lines.length;
  expect(await a.kill()).toBe("SIGKILL");

  await until("the queue to drain (B runs the rest, and A's jobs once their leases expire)", async () => {
    const depth = await q.depth();
    return depth.queued === 0 && depth.running === 0;
  }, [a, b]);

  const jobs = await q.list();
  // None lost: every job of the batch, each succeeded.
  expect(jobs).toHaveLength(BATCH);
  expect(jobs.filter((job) => job.state !== "succeeded").map((job) => [job.id, job.state])).toEqual([]);

  // None doubled: each job's work completed once, by the worker whose `finish` is recorded.
  for (const job of jobs) {
    const done = (await q.ledger(job.id)).filter((entry) => entry.kind === "work.done").map((entry) => entry.data as { pid: number; worker: string });
    expect(done, `job ${job.id}: work.done entries`).toHaveLength(1);
    expect(job.result, `job ${job.id}: finished by the worker that did its work`).toBe(`done by ${done[0]?.worker} (pid ${done[0]?.pid})`);
  }

  // A died: nothing it printed after the kill, so none of B's jobs was run by A afterwards.
  expect(a.lines.length).toBe(linesOfAAtKill);
  const aIds = a.started().map((s) => s.id);
  const bIds = b.started().map((s) => s.id);
  expect(new Set(aIds).size, "A started a job twice").toBe(aIds.length);
  expect(new Set(bIds).size, "B started a job twice").toBe(bIds.length);
  expect(new Set([...aIds, ...bIds])).toEqual(new Set(jobs.map((job) => job.id)));
  // The only jobs both ran are A's in-flight ones: B took over each of them, and none of A's completed ones.
  expect(aIds.filter((id) => bIds.includes(id)).sort(byNumber)).toEqual([...inFlight].sort(byNumber));
  for (const job of jobs) {
    const takenOver = inFlight.includes(job.id);
    expect(job.attempts, `job ${job.id}: attempts`).toBe(takenOver ? 2 : 1);
    expect(job.result, `job ${job.id}: who completed it`).toMatch(bIds.includes(job.id) ? /^done by b / : /^done by a /);
  }
  expect(b.started().filter((s) => inFlight.includes(s.id)).map((s) => s.attempts)).toEqual([2, 2]);
  expect(b.done().sort(byNumber)).toEqual([...bIds].sort(byNumber));

  expect(await b.stop()).toBe(0);
});

interface WorkerProcess {
  readonly name: string;
  /** Every line it printed on stdout. */
  readonly lines: string[];
  /** Jobs it started, in order, with the attempt each run was. */
  started(): { id: number; attempts: number }[];
  /** Jobs whose work it completed. */
  done(): number[];
  /** Resolves once `condition` holds after a line; fails with what it printed if not within the deadline. */
  waitFor(what: string, condition: () => boolean): Promise<void>;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL (if still running); resolves with the signal that ended it. */
  kill(): Promise<NodeJS.Signals | null>;
  /** Its output, for failure messages. */
  transcript(): string;
}

const DEADLINE_MS = 20_000;

/** Starts a worker process and resolves once it has opened the queue and started its worker. */
async function startWorkerProcess(name: string, extra: readonly string[]): Promise<WorkerProcess> {
  const args = ["--redis-url", redis!.url, "--key-prefix", KEY_PREFIX, "--name", name, "--concurrency", String(CONCURRENCY), "--lease-ms", String(LEASE_MS), ...extra];
  const child: ChildProcess = spawn(process.execPath, [SCRIPT, ...args], {
    cwd: ROOT,
    env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "/tmp" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const stderr: string[] = [];
  const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  let checks: (() => void)[] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => {
    lines.push(line);
    for (const check of checks) check();
  });
  createInterface({ input: child.stderr! }).on("line", (line) => stderr.push(line));
  const matching = (pattern: RegExp) => lines.map((line) => pattern.exec(line)).filter((m) => m !== null);

  const worker: WorkerProcess = {
    name,
    lines,
    started: () => matching(/^started (\d+) (\d+)$/).map((m) => ({ id: Number(m[1]), attempts: Number(m[2]) })),
    done: () => matching(/^done (\d+)$/).map((m) => Number(m[1])),
    transcript: () => `worker ${name} stdout:\n${lines.join("\n")}\nworker ${name} stderr:\n${stderr.slice(-40).join("\n")}`,
    waitFor(what, condition) {
      if (condition()) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const settle = (error?: Error) => {
          clearTimeout(timer);
          checks = checks.filter((c) => c !== check);
          if (error) reject(error);
          else resolve();
        };
        const check = () => {
          if (condition()) settle();
        };
        const timer = setTimeout(() => settle(new Error(`waited ${DEADLINE_MS} ms for ${what}\n${worker.transcript()}`)), DEADLINE_MS);
        checks.push(check);
        void exited.then(([code, signal]) => settle(new Error(`worker ${name} exited (${code ?? signal}) while waiting for ${what}\n${worker.transcript()}`)));
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return (await exited)[0];
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      return (await exited)[1];
    },
  };
  children.push(worker);
  await worker.waitFor(`worker ${name} to start`, () => lines.some((line) => line.startsWith("ready ")));
  return worker;
}

const byNumber = (x: number, y: number) => x - y;

/** Polls `condition` until it holds; fails with the workers' output after `DEADLINE_MS`. */
async function until(what: string, condition: () => Promise<boolean>, workers: readonly WorkerProcess[]): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`waited ${DEADLINE_MS} ms for ${what}\n${workers.map((w) => w.transcript()).join("\n")}`);
    await delay(50);
  }
}
