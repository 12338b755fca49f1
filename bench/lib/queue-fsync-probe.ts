/**
 * How long one fsync of a small write takes in a directory now: every SQLite
 * commit waits for at least one, so it bounds the SQLite queue's rate, and on
 * a shared disk it swings with what other processes write.
 */
import { closeSync, fsyncSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { median } from "./queue-stats.ts";

/** Median milliseconds of `count` write + fsync pairs on a scratch file in `dir`. */
export function probeFsyncMs(dir: string, count = 50): number {
  const file = join(dir, "fsync-probe");
  const fd = openSync(file, "w");
  const times: number[] = [];
  try {
    for (let i = 0; i < count; i += 1) {
      const started = performance.now();
      writeSync(fd, "x".repeat(100));
      fsyncSync(fd);
      times.push(performance.now() - started);
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  return median(times);
}
