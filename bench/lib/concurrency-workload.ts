/**
 * The fixed job of `bench/concurrency.ts`: a fresh workspace directory, a
 * sandbox on it (`createSandbox`, real bubblewrap), and one CPU-bound command
 * in it, a Python loop of a fixed number of iterations; then the workspace is
 * removed. What a job of the worker costs at least: a sandbox start and a
 * command that keeps one core busy.
 */
import { mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import { PatchwrightError } from "../../src/errors.ts";
import { createSandbox } from "../../src/workspace/create-sandbox.ts";

/** The loop's result, printed by the command: checks that it ran to the end. */
const expectedSum = (iterations: number): string => {
  const n = BigInt(iterations);
  return String(((n - 1n) * n * (2n * n - 1n)) / 6n);
};

/** Prints the sum of squares below `iterations`, then the CPU time the interpreter used, in seconds. */
export function workloadCommand(iterations: number): string {
  return `python3 -c 'import time\nn = 0\nfor i in range(${iterations}): n += i * i\nprint(n)\nprint(time.process_time())'`;
}

export interface WorkloadTiming {
  /** The job's wall time: workspace, sandbox, command (not the removal). */
  readonly ms: number;
  /** CPU time of the Python process in the sandbox. */
  readonly cpuMs: number;
}

/**
 * Runs the job once in a new workspace under `scratch`. Throws when the
 * command did not print the loop's result.
 */
export async function runWorkloadJob(scratch: string, iterations: number, signal?: AbortSignal): Promise<WorkloadTiming> {
  const started = performance.now();
  const root = await mkdtemp(path.join(scratch, "job-"));
  try {
    const sandbox = await createSandbox({ root });
    const result = await sandbox.run(workloadCommand(iterations), signal ? { signal } : {});
    const ms = performance.now() - started;
    const [sum, cpuSeconds] = result.output.trim().split("\n");
    if (result.exitCode !== 0 || sum !== expectedSum(iterations) || !Number.isFinite(Number(cpuSeconds))) {
      throw new Error(`the sandboxed workload failed (exit ${result.exitCode}): ${result.output.slice(0, 500)}`);
    }
    return { ms, cpuMs: Number(cpuSeconds) * 1000 };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/**
 * Runs `true` in a bubblewrap sandbox; exits the process with a message
 * saying what to install or allow when bubblewrap cannot run here.
 */
export async function requireBubblewrap(scratch: string): Promise<void> {
  const root = await mkdtemp(path.join(scratch, "probe-"));
  try {
    const sandbox = await createSandbox({ root });
    const result = await sandbox.run("true");
    if (sandbox.isolation !== "bubblewrap" || result.exitCode !== 0) throw new Error(`isolation ${sandbox.isolation}, exit ${result.exitCode}: ${result.output}`);
  } catch (error) {
    const reason = error instanceof PatchwrightError ? error.message : String(error);
    console.error(`bench:concurrency needs the real bubblewrap sandbox, and it cannot run here.\n${reason}`);
    process.exit(1);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/**
 * Iterations that make one job (sandbox included) take about `targetMs` on
 * this machine now: the job is timed with no loop and with a pilot loop
 * (best of three each), and the loop scaled to fill the rest.
 */
export async function calibrateWorkload(scratch: string, targetMs: number): Promise<{ iterations: number; fixedMs: number; perMillionMs: number }> {
  const best = async (iterations: number) => Math.min(...(await sequence(3, async () => (await runWorkloadJob(scratch, iterations)).ms)));
  const PILOT = 2_000_000;
  const fixedMs = await best(1);
  const pilotMs = await best(PILOT);
  const perMillionMs = Math.max(1, (pilotMs - fixedMs) / (PILOT / 1e6));
  const iterations = Math.max(1, Math.round(((targetMs - fixedMs) / perMillionMs) * 1e6));
  return { iterations, fixedMs, perMillionMs };
}

async function sequence<T>(n: number, fn: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += 1) out.push(await fn());
  return out;
}
