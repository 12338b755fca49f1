/**
 * The parent's side of `ack-child.ts`: forks it with its log going to a
 * file, waits until it listens, asks it for its counters and profiles, stops it.
 */
import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { closeSync, openSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ChildMessage, ChildRequest } from "./ack-child.ts";
import type { AckServerKind, AckServerOptions } from "./ack-servers.ts";

export type ChildStats = Extract<ChildMessage, { type: "stats" }>;

export interface AckChild {
  readonly kind: AckServerKind;
  readonly url: string;
  readonly pid: number;
  stats(): Promise<ChildStats>;
  /** Starts a CPU profile of the child (sampled every 100 us). */
  startProfile(): Promise<void>;
  /** Stops it and writes it to `file` (a `.cpuprofile`, for Chrome DevTools or speedscope). */
  stopProfile(file: string): Promise<void>;
  /** Asks it to close and exit. */
  stop(): Promise<void>;
}

const CHILD = fileURLToPath(new URL("./ack-child.ts", import.meta.url));

export async function spawnAckChild(kind: AckServerKind, options: AckServerOptions, spawnOptions: { logFile: string }): Promise<AckChild> {
  const logFd = openSync(spawnOptions.logFile, "w");
  const child: ChildProcess = fork(CHILD, [kind], {
    env: { ...process.env, ACK_OPTIONS: JSON.stringify(options) },
    execArgv: [],
    stdio: ["ignore", logFd, logFd, "ipc"],
  });
  closeSync(logFd);
  const exited = once(child, "exit");
  const next = <T extends ChildMessage["type"]>(type: T): Promise<Extract<ChildMessage, { type: T }>> =>
    new Promise((resolve, reject) => {
      const onMessage = (message: ChildMessage) => {
        if (message.type !== type) return;
        child.off("message", onMessage);
        resolve(message as Extract<ChildMessage, { type: T }>);
      };
      child.on("message", onMessage);
      void exited.then(([code]) => reject(new Error(`${kind} server exited with ${String(code)}: see ${spawnOptions.logFile}`)));
    });
  const request = (message: ChildRequest) => child.send(message);
  const { port } = await next("listening");
  return {
    kind,
    url: `http://127.0.0.1:${port}/api/github/webhooks`,
    pid: child.pid ?? 0,
    stats() {
      const answer = next("stats");
      request({ type: "stats" });
      return answer;
    },
    async startProfile() {
      const answer = next("profile-start");
      request({ type: "profile-start" });
      await answer;
    },
    async stopProfile(file) {
      const answer = next("profile-stop");
      request({ type: "profile-stop", file });
      await answer;
    },
    async stop() {
      if (child.exitCode !== null) return;
      request({ type: "stop" });
      await exited;
    },
  };
}
