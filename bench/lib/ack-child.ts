/**
 * Child process of `bench/ack.ts`: serves one of the two webhook servers on
 * 127.0.0.1 in its own event loop, and answers the parent over IPC.
 *
 *   node bench/lib/ack-child.ts baseline|patchwright   (options in ACK_OPTIONS, JSON)
 *
 * Sends `{ type: "listening", port }`, then answers each request with one
 * message of the same type: `stats` (this process's CPU time, event-loop
 * utilisation and garbage-collection pauses so far, the queue's jobs), `profile-start` / `profile-stop`
 * (a CPU profile of what runs in between, written to `file`: the measured
 * rounds without start-up and warm-up), `stop` (closes, then exits).
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { PerformanceObserver } from "node:perf_hooks";
import { startBaselineServer, startPatchwrightServer, type AckServerKind, type AckServerOptions } from "./ack-servers.ts";

export type ChildRequest = { type: "stats" } | { type: "profile-start" } | { type: "profile-stop"; file: string } | { type: "stop" };
export type ChildMessage =
  | { type: "listening"; port: number }
  | {
      type: "stats";
      /** CPU time (user + system) of the process since it started, in microseconds: every thread (libuv's pool, GC helpers). */
      cpuUs: number;
      /** CPU time of the main thread alone (the event loop) since it started, in microseconds. */
      mainCpuUs: number;
      /** Time the event loop was busy since it started, in milliseconds. */
      eluActiveMs: number;
      /** Garbage-collection pauses since it started, in milliseconds. */
      gcMs: number;
      rssBytes: number;
      jobs: { queued: number; acknowledged: number } | null;
    }
  | { type: "profile-start" }
  | { type: "profile-stop" };

/** Sampling interval of the profiler: finer than `--cpu-prof`'s default 1 ms, a delivery takes well under that. */
const SAMPLING_INTERVAL_US = 100;

const send = (message: ChildMessage): void => void process.send?.(message);

const kind = process.argv[2] as AckServerKind;
const options = JSON.parse(process.env["ACK_OPTIONS"] ?? "{}") as AckServerOptions;
const server = kind === "patchwright" ? await startPatchwrightServer(options) : await startBaselineServer(options);
let session: Session | null = null;
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ["gc"] });

const answer = async (message: ChildRequest): Promise<void> => {
  switch (message.type) {
    case "stats": {
      const jobs = await server.jobs();
      const cpu = process.cpuUsage();
      const main = process.threadCpuUsage();
      send({ type: "stats", cpuUs: cpu.user + cpu.system, mainCpuUs: main.user + main.system, eluActiveMs: performance.eventLoopUtilization().active, gcMs, rssBytes: process.memoryUsage.rss(), jobs });
      return;
    }
    case "profile-start":
      session = new Session();
      session.connect();
      await session.post("Profiler.enable");
      await session.post("Profiler.setSamplingInterval", { interval: SAMPLING_INTERVAL_US });
      await session.post("Profiler.start");
      send({ type: "profile-start" });
      return;
    case "profile-stop": {
      const { profile } = (await session?.post("Profiler.stop")) ?? {};
      session?.disconnect();
      writeFileSync(message.file, JSON.stringify(profile));
      send({ type: "profile-stop" });
      return;
    }
    case "stop":
      await server.close();
      process.exit(0);
  }
};

process.on("message", (message: ChildRequest) => void answer(message));
send({ type: "listening", port: server.port });
