/**
 * Bounds the workspace's disk use while a command runs, not only after it:
 * every `intervalMs` (250 ms) the watchdog asks the kernel how much free
 * space the workspace's file systems lost since its last exact measure
 * (`statfs`: one system call, whatever the tree's size), and only when that
 * loss could have taken the workspace over its limit does it measure exactly
 * (`du`), then stops the command (the caller's kill of its whole process
 * tree) if the workspace really is over. Other processes writing to the same
 * file system only cause extra `du` runs, never a kill; other processes
 * deleting there could hide growth from `statfs`, so `du` also runs every
 * few seconds regardless (`BACKSTOP_MS`, or twenty times what the last `du`
 * took on a big tree).
 *
 * A sampled bound, not a hard one: a command can write what it manages in
 * one interval (plus one `du`) past the limit before it is stopped.
 * RLIMIT_FSIZE still caps each file. A hard bound needs a file system per
 * job (a sized loop mount or a project quota), which only a root worker can
 * make; see docs/0005.
 */
import { statfs } from "node:fs/promises";
import { diskUsageBytes } from "./sandbox-disk-usage.ts";

export const DISK_SAMPLE_INTERVAL_MS = 250;
const BACKSTOP_MS = 5_000;

export interface DiskWatchdogInput {
  /** The directories whose total is bounded: the workspace and its writable binds. */
  readonly dirs: readonly string[];
  readonly limitBytes: number;
  /** Called once, with the exact usage, when it is over the limit. */
  readonly onExceeded: (usedBytes: number) => void;
  readonly intervalMs?: number;
}

export interface DiskWatchdog {
  /** Stops sampling; resolves to the usage that crossed the limit, if one did. */
  stop(): Promise<number | undefined>;
}

export function watchDiskUsage(input: DiskWatchdogInput): DiskWatchdog {
  const intervalMs = input.intervalMs ?? DISK_SAMPLE_INTERVAL_MS;
  let stopped = false;
  let exceeded: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  // The last exact measure, and the free space the file systems had when it began.
  let base: { used: number; free: number; at: number; tookMs: number } | undefined;

  const freeBytes = async (): Promise<number> => {
    let total = 0;
    for (const dir of input.dirs) {
      const info = await statfs(dir).catch(() => undefined);
      if (info !== undefined) total += info.bfree * info.bsize;
    }
    return total;
  };
  const measure = async (): Promise<void> => {
    const free = await freeBytes();
    const started = Date.now();
    const used = await diskUsageBytes(...input.dirs);
    if (used === undefined) return;
    base = { used, free, at: started, tookMs: Date.now() - started };
    if (used > input.limitBytes && exceeded === undefined && !stopped) {
      exceeded = used;
      input.onExceeded(used);
    }
  };
  const tick = async (): Promise<void> => {
    if (base === undefined) return measure();
    const estimate = base.used + Math.max(0, base.free - (await freeBytes()));
    const backstop = Math.max(BACKSTOP_MS, 20 * base.tookMs);
    if (estimate > input.limitBytes || Date.now() - base.at >= backstop) await measure();
  };
  let running: Promise<void> = Promise.resolve();
  const schedule = (): void => {
    if (stopped || exceeded !== undefined) return;
    timer = setTimeout(() => {
      running = tick()
        .catch(() => undefined)
        .then(schedule);
    }, intervalMs);
  };
  // The first exact measure starts with the command.
  running = measure()
    .catch(() => undefined)
    .then(schedule);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      return exceeded;
    },
  };
}
