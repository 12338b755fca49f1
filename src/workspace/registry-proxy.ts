/**
 * The setup phase's only way out of the sandbox: an HTTP proxy on a unix
 * socket that opens CONNECT tunnels to allowlisted `host:port` pairs only,
 * and forwards plain-HTTP GET/HEAD to them (a package index on the LAN;
 * `registry-proxy-http.ts`). The sandbox keeps its own empty network
 * namespace; the socket is mounted in and a relay inside (`registry-proxy-relay.ts`) gives tools a TCP proxy port.
 * Tunnels are opaque: TLS stays end to end between the tool and the registry.
 */
import net from "node:net";
import { normalizeHostPort } from "./registry-proxy-hosts.ts";
import { publicOnlyLookup } from "./public-address.ts";
import { forwardRequest, isAbsoluteFormRequest, parseForwardRequest } from "./registry-proxy-http.ts";

export { normalizeHostPort };

/** Package registries of the common ecosystems (HTTPS, port 443). */
export const DEFAULT_REGISTRY_HOSTS: readonly string[] = [
  "registry.npmjs.org",
  "registry.yarnpkg.com",
  "pypi.org",
  "files.pythonhosted.org",
  "proxy.golang.org",
  "sum.golang.org",
  "index.crates.io",
  "static.crates.io",
  "rubygems.org",
  "index.rubygems.org",
  "repo.maven.apache.org",
  "repo1.maven.org",
];

export interface RegistryProxy {
  readonly socketPath: string;
  /** `host:port` targets refused so far, in order. */
  readonly refused: readonly string[];
  /** Connections turned away because `maxConnections` were open and `maxWaiting` more waited. */
  readonly overloaded: number;
  /** Stops listening and cuts every tunnel. */
  close(): Promise<void>;
}

/** The request head may not grow beyond this before the blank line. */
const MAX_HEAD_BYTES = 16 * 1024;

/**
 * Connections from one sandbox served at once; beyond, they wait for a slot
 * (see `DEFAULT_MAX_WAITING`). Each served connection holds two sockets of the
 * worker. An older npm through a proxy opens a tunnel per tarball, all at once
 * (npm 8 on Node 12 opens several hundred during a `npm ci` of a few hundred
 * packages): they queue instead of failing.
 */
export const DEFAULT_MAX_CONNECTIONS = 256;
/** Connections that may wait for a slot; beyond, a 503. */
export const DEFAULT_MAX_WAITING = 1024;
/** A connection (or tunnel) with no byte either way for this long is closed. */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

/** Starts the proxy on `socketPath` (which must not exist yet). */
export async function startRegistryProxy(options: {
  socketPath: string;
  allowedHosts: readonly string[];
  /** Entries of `allowedHosts` reached only at public addresses (a repository's own, see `public-address.ts`). */
  publicOnlyHosts?: readonly string[];
  /** Default `DEFAULT_MAX_CONNECTIONS`. */
  maxConnections?: number;
  /** Connections that wait for a slot beyond `maxConnections`; default `DEFAULT_MAX_WAITING`. */
  maxWaiting?: number;
  /** Default `DEFAULT_IDLE_TIMEOUT_MS`. */
  idleTimeoutMs?: number;
}): Promise<RegistryProxy> {
  const allowed = new Set(options.allowedHosts.map((entry) => normalizeHostPort(entry)));
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const maxWaiting = options.maxWaiting ?? DEFAULT_MAX_WAITING;
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const refused: string[] = [];
  const publicOnly = new Set((options.publicOnlyHosts ?? []).map((entry) => normalizeHostPort(entry)));
  const lookupFor = (target: string) => (publicOnly.has(target) ? publicOnlyLookup : undefined);
  const sockets = new Set<net.Socket>();
  let clients = 0;
  let overloaded = 0;
  const track = (socket: net.Socket): net.Socket => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    // Idle (a stalled head, a parked tunnel): closed, which closes its other half too.
    socket.setTimeout(idleTimeoutMs, () => socket.destroy());
    return socket;
  };

  // Beyond `maxConnections`, a connection waits for a free slot (a package manager that opens a
  // tunnel per request gets backpressure, not errors); only beyond `maxWaiting` more is it a 503.
  const waiting: net.Socket[] = [];
  const admitNext = (): void => {
    while (clients < maxConnections && waiting.length > 0) {
      const next = waiting.shift()!;
      if (!next.destroyed) serve(next);
    }
  };
  const server = net.createServer((client) => {
    track(client);
    client.on("error", () => client.destroy());
    if (clients < maxConnections) return serve(client);
    if (waiting.length < maxWaiting) {
      waiting.push(client);
      client.once("close", () => {
        const at = waiting.indexOf(client);
        if (at !== -1) waiting.splice(at, 1);
      });
      return;
    }
    overloaded++;
    reply(client, 503, `more than ${maxConnections + maxWaiting} connections at once to the registry proxy`);
  });

  function serve(client: net.Socket): void {
    clients++;
    client.on("close", () => {
      clients--;
      admitNext();
    });
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end === -1) {
        if (head.length > MAX_HEAD_BYTES) reply(client, 431, "request head too large");
        return;
      }
      client.off("data", onData);
      client.pause();
      const requestLine = head.subarray(0, head.indexOf("\r\n")).toString("latin1");
      const refuse = (target: string): boolean => {
        if (allowed.has(target)) return false;
        refused.push(target);
        reply(client, 403, `${target} is not an allowed package registry (allowed: ${[...allowed].join(", ")})`);
        return true;
      };
      if (isAbsoluteFormRequest(requestLine)) {
        // Whatever follows the head (a second, pipelined request) is never forwarded.
        const request = parseForwardRequest(head.subarray(0, end).toString("latin1"));
        if (!request.ok) reply(client, request.status, request.message);
        else if (!refuse(request.target)) forwardRequest(client, request.target, request.head, track, (status, message) => reply(client, status, message), lookupFor(request.target));
        return;
      }
      const connect = /^CONNECT (\S+) HTTP\/1\.[01]$/.exec(requestLine);
      if (connect === null) {
        reply(client, 405, "only HTTPS through CONNECT, and GET or HEAD of http:// URLs, are proxied, to package registries");
        return;
      }
      let target: string;
      try {
        target = normalizeHostPort(connect[1] ?? "", 0);
      } catch {
        reply(client, 400, "bad CONNECT target");
        return;
      }
      if (refuse(target)) return;
      tunnel(client, target, head.subarray(end + 4), track, lookupFor(target));
    };
    client.on("data", onData);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.socketPath, () => {
      server.off("error", reject);
      resolve();
    });
  });

  return {
    socketPath: options.socketPath,
    refused,
    get overloaded() {
      return overloaded;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Connects to the target, answers 200, then copies bytes both ways (`early`: what the client sent after the head). */
function tunnel(client: net.Socket, target: string, early: Buffer, track: (socket: net.Socket) => net.Socket, lookup?: net.LookupFunction): void {
  const colon = target.lastIndexOf(":");
  const host = target.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  const upstream = track(net.connect({ host, port: Number(target.slice(colon + 1)), ...(lookup ? { lookup } : {}) }));
  client.on("close", () => upstream.destroy());
  upstream.once("error", (error) => reply(client, 502, `cannot reach ${target}: ${error.message}`));
  upstream.once("connect", () => {
    upstream.removeAllListeners("error");
    upstream.on("error", () => client.destroy());
    // The registry closed: the tunnel is over. After a clean end, what is still buffered for the
    // client is flushed first (pipe ends the client); destroying it here would cut a large
    // download's tail under load (npm then reports EINTEGRITY). After an error, it is cut.
    upstream.on("close", (hadError) => (hadError ? client.destroy() : client.end()));
    client.on("error", () => upstream.destroy());
    client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    if (early.length > 0) upstream.write(early);
    client.pipe(upstream);
    upstream.pipe(client);
  });
}

function reply(client: net.Socket, status: number, message: string): void {
  const reason = {
    400: "Bad Request",
    403: "Forbidden",
    405: "Method Not Allowed",
    431: "Request Header Fields Too Large",
    502: "Bad Gateway",
    503: "Service Unavailable",
  }[status];
  const body = `patchwright: ${message}\n`;
  client.end(
    `HTTP/1.1 ${status} ${reason ?? "Error"}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
