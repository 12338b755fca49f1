/**
 * A real `redis-server` on a free loopback port, for the Redis queue's tests
 * and benchmarks: append-only persistence on, eviction off (what the app
 * demands of a production Redis), its files in a temporary directory.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly process: ChildProcess;
  close(): Promise<void>;
}

const BINARY = "redis-server";

/** Starts one; extra `redis-server` arguments (`["--maxmemory-policy", "allkeys-lru"]`) override the defaults. */
export async function startRedisServer(extra: readonly string[] = []): Promise<RedisServer> {
  const dir = await mkdtemp(path.join(tmpdir(), "patchwright-redis-"));
  // A port freed a moment ago can be taken by another process in between: try a few.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      const child = await launch(port, dir, extra);
      return {
        url: `redis://127.0.0.1:${port}`,
        port,
        process: child,
        async close() {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill("SIGKILL");
            await once(child, "exit");
          }
          await rm(dir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      if (attempt >= 3) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
}

async function launch(port: number, dir: string, extra: readonly string[]): Promise<ChildProcess> {
  const args = [
    "--port", String(port),
    "--bind", "127.0.0.1",
    "--dir", dir,
    "--save", "",
    "--appendonly", "yes",
    "--maxmemory-policy", "noeviction",
    "--logfile", "",
    "--daemonize", "no",
    ...extra,
  ];
  const child = spawn(BINARY, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  return await new Promise<ChildProcess>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
        child.stdout?.off("data", onData);
        child.stdout?.resume();
        resolve(child);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "ENOENT" ? new Error(`${BINARY} is not installed (Debian: apt-get install redis-server)`) : error),
    );
    child.once("exit", (code, signal) => reject(new Error(`${BINARY} exited (${code ?? signal}) before it was ready:\n${output.slice(-2000)}`)));
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
