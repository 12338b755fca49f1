/**
 * The test git server (`git http-backend` behind Node's HTTP server) in a
 * process of its own, for benchmarks that time a client: a repository host
 * is another machine, and in the measuring process the server's work (a
 * `fork` of `git http-backend` per request blocks its event loop for several
 * milliseconds) would be charged to whatever the client does meanwhile.
 *
 * Run as a child (`fork`), it serves `projectRoot` and answers "count" with
 * how many requests it has served.
 */
import { fork } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { startGitHttpServer } from "../../test/support/git-http-server.ts";

export interface GitHttpServerProcess {
  /** Base URL, e.g. `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** How many requests the server has received so far. */
  requestCount(): Promise<number>;
  close(): Promise<void>;
}

type ToChild = "count" | "close";
type FromChild = { readonly url: string } | { readonly count: number } | { readonly closed: true };

/** Starts the server process and waits until it listens. */
export async function startGitHttpServerProcess(options: { projectRoot: string; token: string }): Promise<GitHttpServerProcess> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, PW_GIT_SERVER_ROOT: options.projectRoot, PW_GIT_SERVER_TOKEN: options.token },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const next = async (): Promise<FromChild> => ((await once(child, "message")) as [FromChild])[0];
  const ready = await next();
  if (!("url" in ready)) throw new Error("the git server process did not start");
  return {
    url: ready.url,
    async requestCount() {
      const reply = next();
      child.send("count" satisfies ToChild);
      const message = await reply;
      if (!("count" in message)) throw new Error("unexpected answer from the git server process");
      return message.count;
    },
    async close() {
      const exited = once(child, "exit");
      child.send("close" satisfies ToChild);
      await exited;
    },
  };
}

// The child: serve until told to close.
if (process.env.PW_GIT_SERVER_ROOT !== undefined && process.send !== undefined && process.argv[1] === fileURLToPath(import.meta.url)) {
  const send = process.send.bind(process);
  const server = await startGitHttpServer({ projectRoot: process.env.PW_GIT_SERVER_ROOT, token: process.env.PW_GIT_SERVER_TOKEN ?? "" });
  process.on("message", (message: ToChild) => {
    if (message === "count") send({ count: server.requests.length } satisfies FromChild);
    if (message === "close") void server.close().then(() => process.exit(0));
  });
  send({ url: server.url } satisfies FromChild);
}
