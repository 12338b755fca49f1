/**
 * How idle the machine's CPUs were over an interval, from /proc/stat: on a
 * shared machine, what the concurrency curve can reach depends on the cores
 * other processes leave free.
 */
import { readFileSync } from "node:fs";

export interface CpuTicks {
  readonly idle: number;
  readonly total: number;
}

/** The aggregate `cpu` line of /proc/stat (idle counts iowait too); null off Linux. */
export function readCpuTicks(): CpuTicks | null {
  let line: string | undefined;
  try {
    line = readFileSync("/proc/stat", "utf8").split("\n").find((l) => l.startsWith("cpu "));
  } catch {
    return null;
  }
  if (line === undefined) return null;
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user)
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  return { idle: idle + iowait, total: user + nice + system + idle + iowait + irq + softirq + steal };
}

/** Cores idle on average between two readings (NaN when either is missing). */
export function idleCores(before: CpuTicks | null, after: CpuTicks | null, cpus: number): number {
  if (before === null || after === null || after.total <= before.total) return Number.NaN;
  return ((after.idle - before.idle) / (after.total - before.total)) * cpus;
}
