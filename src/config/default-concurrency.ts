import { availableParallelism, freemem } from "node:os";

/** What the machine offers a worker process, read once at start-up. */
export interface Machine {
  readonly cpus: number;
  readonly freeMemBytes: number;
}

/** Memory one job is given room for: its fixers, their sandboxed builds and tests, the clones. */
export const MEMORY_PER_JOB_BYTES = 2 * 1024 ** 3;

export function readMachine(): Machine {
  return { cpus: availableParallelism(), freeMemBytes: freemem() };
}

/**
 * Jobs one process runs at once when `PATCHWRIGHT_CONCURRENCY` is unset: one
 * per CPU, but no more than free memory at start-up holds at 2 GiB a job,
 * and at least one (docs/0014-concurrency.md).
 */
export function defaultConcurrency(machine: Machine): number {
  return Math.max(1, Math.min(machine.cpus, Math.floor(machine.freeMemBytes / MEMORY_PER_JOB_BYTES)));
}
