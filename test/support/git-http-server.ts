/**
 * A real git smart-HTTP server for tests: `git http-backend` (CGI) behind a
 * Node HTTP server on 127.0.0.1, serving every bare repository under
 * `projectRoot` for fetch and push, with optional token authentication the
 * way GitHub does it (basic auth, user `x-access-token`).
 */
import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface GitHttpRequest {
  readonly method: string;
  /** URL path, e.g. `/owner/repo.git/info/refs`. */
  readonly path: string;
  /** Query string without `?` (`service=git-upload-pack`), or "". */
  readonly query: string;
  /** `valid`: the expected token; `invalid`: other credentials; `missing`: none sent. */
  readonly auth: "valid" | "invalid" | "missing";
  /** Whether the request was let through (auth valid, or no token required). */
  readonly authorized: boolean;
}

export interface GitHttpHandlerOptions {
  /** Directory holding bare repositories as `<owner>/<name>.git`. */
  readonly projectRoot: string;
  /** When set, every request needs basic auth `x-access-token:<token>`. */
  readonly token?: string;
  /** Every request is appended here. */
  readonly requests?: GitHttpRequest[];
  /**
   * Speak protocol v2 when the client asks for it (default true). With false
   * the server is v0-only, which refuses to serve commits that are not a ref
   * tip: useful to test a client's fallback.
   */
  readonly protocolV2?: boolean;
  /** Path prefix to strip before mapping onto `projectRoot` (for mounting under an API server). */
  readonly pathPrefix?: string;
}

export type GitHttpHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** The request handler alone, for a fake GitHub server to mount for paths like `/owner/repo.git/...`. */
export function createGitHttpHandler(options: GitHttpHandlerOptions): GitHttpHandler {
  return (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const auth = checkAuth(req.headers.authorization, options.token);
    const authorized = options.token === undefined || auth === "valid";
    options.requests?.push({ method: req.method ?? "GET", path: url.pathname, query: url.search.slice(1), auth, authorized });
    if (!authorized) {
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="GitHub"', "Content-Type": "text/plain" });
      res.end("Authentication failed\n");
      return;
    }
    const prefix = options.pathPrefix ?? "";
    const pathInfo = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname;
    runBackend(req, res, {
      GIT_PROJECT_ROOT: options.projectRoot,
      GIT_HTTP_EXPORT_ALL: "1",
      PATH_INFO: decodeURIComponent(pathInfo),
      QUERY_STRING: url.search.slice(1),
      REQUEST_METHOD: req.method ?? "GET",
      CONTENT_TYPE: req.headers["content-type"] ?? "",
      REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
      ...(req.headers["content-length"] === undefined ? {} : { CONTENT_LENGTH: req.headers["content-length"] }),
      ...(req.headers["content-encoding"] === undefined ? {} : { HTTP_CONTENT_ENCODING: req.headers["content-encoding"] }),
      ...(options.protocolV2 !== false && typeof req.headers["git-protocol"] === "string"
        ? { GIT_PROTOCOL: req.headers["git-protocol"] }
        : {}),
    });
  };
}

export interface GitHttpServer {
  /** Base URL, e.g. `http://127.0.0.1:PORT`; repositories are at `${url}/owner/name.git`. */
  readonly url: string;
  readonly requests: GitHttpRequest[];
  close(): Promise<void>;
}

/** Starts the server on an ephemeral loopback port. */
export async function startGitHttpServer(options: Omit<GitHttpHandlerOptions, "requests">): Promise<GitHttpServer> {
  const requests: GitHttpRequest[] = [];
  const server = createServer(createGitHttpHandler({ ...options, requests }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function checkAuth(header: string | undefined, token: string | undefined): GitHttpRequest["auth"] {
  if (header === undefined) return "missing";
  const match = /^Basic\s+(.+)$/i.exec(header);
  if (!match?.[1] || token === undefined) return "invalid";
  return Buffer.from(match[1], "base64").toString("utf8") === `x-access-token:${token}` ? "valid" : "invalid";
}

/** Pipes the request through `git http-backend` and relays its CGI response. */
function runBackend(req: IncomingMessage, res: ServerResponse, cgiEnv: Record<string, string>): void {
  const backend = spawn("git", ["http-backend"], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: "/nonexistent",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      // Pushes are anonymous as far as http-backend knows; enable receive-pack explicitly.
      GIT_CONFIG_COUNT: "1",
      GIT_CONFIG_KEY_0: "http.receivepack",
      GIT_CONFIG_VALUE_0: "true",
      ...cgiEnv,
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  req.pipe(backend.stdin);
  backend.stdin.on("error", () => undefined); // the backend may exit before reading everything
  const stderr: Buffer[] = [];
  backend.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));

  let head = Buffer.alloc(0);
  let headersDone = false;
  backend.stdout.on("data", (chunk: Buffer) => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf("\r\n\r\n");
    if (end === -1) return;
    headersDone = true;
    const { status, headers } = parseCgiHeaders(head.subarray(0, end).toString("latin1"));
    res.writeHead(status, headers);
    res.write(head.subarray(end + 4));
  });
  backend.on("close", (code) => {
    if (!headersDone) {
      res.writeHead(500, { "Content-Type": "text/plain" });
      res.end(`git http-backend exited with ${code}: ${Buffer.concat(stderr).toString("utf8")}`);
      return;
    }
    res.end();
  });
}

function parseCgiHeaders(text: string): { status: number; headers: Record<string, string> } {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === "status") status = Number.parseInt(value, 10);
    else headers[name] = value;
  }
  return { status, headers };
}
