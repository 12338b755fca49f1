import { once } from "node:events";
import { createServer, connect, type Server, type Socket } from "node:net";
import path from "node:path";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { normalizeHostPort, type RegistryProxy, startRegistryProxy } from "../../src/workspace/registry-proxy.ts";
import { tempDir } from "./helpers.ts";

describe("startRegistryProxy (the setup phase's allowlisting CONNECT proxy)", () => {
  // nock's socket interceptor reads raw bytes written to any socket as HTTP
  // and refuses "CONNECT registry.npmjs.org:80" as a net connect: this file
  // talks raw TCP over unix sockets and loopback only, so it runs without it.
  beforeAll(() => nock.restore());
  afterAll(() => nock.activate());
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  /** A loopback server that echoes what it gets, prefixed. */
  async function echoServer(): Promise<{ port: number; server: Server }> {
    const server = createServer((socket) => socket.on("data", (chunk) => socket.write(`echo:${chunk.toString()}`)));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    closers.push(() => new Promise((resolve) => server.close(resolve)));
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    return { port: address.port, server };
  }

  async function proxyAllowing(allowedHosts: string[]): Promise<RegistryProxy> {
    const proxy = await startRegistryProxy({ socketPath: path.join(await tempDir("pw-proxy-"), "proxy.sock"), allowedHosts });
    closers.push(() => proxy.close());
    return proxy;
  }

  /** Sends `request` and collects everything until the proxy closes (or `until` appears). */
  async function exchange(proxy: RegistryProxy, request: string | Buffer, until?: string): Promise<{ text: string; socket: Socket }> {
    const socket = connect(proxy.socketPath);
    closers.push(async () => socket.destroy());
    let text = "";
    socket.write(request);
    await new Promise<void>((resolve) => {
      socket.on("data", (chunk) => {
        text += chunk.toString();
        if (until !== undefined && text.includes(until)) resolve();
      });
      socket.on("close", () => resolve());
    });
    return { text, socket };
  }

  it.each([
    ["registry.npmjs.org", "registry.npmjs.org:443"],
    ["Registry.NPMjs.org.", "registry.npmjs.org:443"],
    ["127.0.0.1:4873", "127.0.0.1:4873"],
    ["[::1]:8443", "[::1]:8443"],
  ])("normalises %s to %s", (entry, normalised) => {
    expect(normalizeHostPort(entry)).toBe(normalised);
  });

  it.each(["", "https://registry.npmjs.org", "host:0", "host:70000", "a b"])("refuses the allowlist entry %j", (entry) => {
    expect(() => normalizeHostPort(entry)).toThrow(/not a host or host:port/);
  });

  it("tunnels to an allowed host, keeping bytes sent along with the request", async () => {
    const upstream = await echoServer();
    const proxy = await proxyAllowing([`127.0.0.1:${upstream.port}`]);
    const { text } = await exchange(proxy, `CONNECT 127.0.0.1:${upstream.port} HTTP/1.1\r\nHost: x\r\n\r\nearly`, "echo:early");
    expect(text).toBe("HTTP/1.1 200 Connection Established\r\n\r\necho:early");
    expect(proxy.refused).toEqual([]);
  });

  it("refuses a host that is not allowed, saying which ones are, and remembers it", async () => {
    const upstream = await echoServer();
    const proxy = await proxyAllowing(["registry.npmjs.org"]);
    const { text } = await exchange(proxy, `CONNECT 127.0.0.1:${upstream.port} HTTP/1.1\r\n\r\n`);
    expect(text).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(text).toContain(`127.0.0.1:${upstream.port} is not an allowed package registry (allowed: registry.npmjs.org:443)`);
    // The same name on another port is another target.
    expect((await exchange(proxy, "CONNECT registry.npmjs.org:80 HTTP/1.1\r\n\r\n")).text).toMatch(/^HTTP\/1\.1 403/);
    expect(proxy.refused).toEqual([`127.0.0.1:${upstream.port}`, "registry.npmjs.org:80"]);
  });

  it.each([
    ["a plain-HTTP POST", 405, "POST http://registry.npmjs.org:443/ HTTP/1.1\r\nContent-Length: 0\r\n\r\n"],
    ["an origin-form GET", 405, "GET / HTTP/1.1\r\nHost: registry.npmjs.org\r\n\r\n"],
    ["an absolute URL with credentials", 400, "GET http://user:pw@registry.npmjs.org:443/ HTTP/1.1\r\n\r\n"],
    ["a GET with a body", 400, "GET http://registry.npmjs.org:443/ HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"],
    ["a chunked GET", 400, "GET http://registry.npmjs.org:443/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"],
    ["a folded header", 400, "GET http://registry.npmjs.org:443/ HTTP/1.1\r\nX-A: 1\r\n  folded\r\n\r\n"],
    ["a bare LF in a header", 400, "GET http://registry.npmjs.org:443/ HTTP/1.1\r\nX-A: 1\nHost: evil\r\n\r\n"],
    ["a target without a port", 400, "CONNECT registry.npmjs.org HTTP/1.1\r\n\r\n"],
    ["an endless head", 431, `CONNECT registry.npmjs.org:443 HTTP/1.1\r\nX: ${"a".repeat(20_000)}`],
  ])("answers %s with %i", async (_label, status, request) => {
    const proxy = await proxyAllowing(["registry.npmjs.org"]);
    expect((await exchange(proxy, request)).text).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
  });

  /** A loopback HTTP/1.1 server that records each raw request head it gets (keep-alive unless asked to close, so a second request could follow). */
  async function recordingServer(): Promise<{ port: number; heads: string[] }> {
    const heads: string[] = [];
    const server = createServer((socket) => {
      let buffer = "";
      socket.on("data", (chunk) => {
        buffer += chunk.toString("latin1");
        for (let end = buffer.indexOf("\r\n\r\n"); end !== -1; end = buffer.indexOf("\r\n\r\n")) {
          heads.push(buffer.slice(0, end));
          buffer = buffer.slice(end + 4);
          socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhello${heads.length}`);
          // As HTTP/1.1 servers do: the connection ends after the response the client asked to be its last.
          if (/\r\nConnection: close$/im.test(heads.at(-1) ?? "")) socket.end();
        }
      });
      socket.on("end", () => socket.end());
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    closers.push(() => new Promise((resolve) => server.close(resolve)));
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    return { port: address.port, heads };
  }

  it("forwards a plain-HTTP GET to an allowed host:port as one request, without hop-by-hop headers or proxy credentials", async () => {
    const upstream = await recordingServer();
    const proxy = await proxyAllowing([`127.0.0.1:${upstream.port}`]);
    const request =
      `GET http://127.0.0.1:${upstream.port}/simple/pytest/?x=1 HTTP/1.1\r\nHost: 127.0.0.1:${upstream.port}\r\nAccept: text/html\r\n` +
      "Proxy-Authorization: Basic c2VjcmV0\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: 5\r\nProxy-Connection: keep-alive\r\nUser-Agent: pip/23\r\n\r\n";
    const { text } = await exchange(proxy, request);
    expect(text).toBe("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhello1");
    expect(upstream.heads).toEqual([
      `GET /simple/pytest/?x=1 HTTP/1.1\r\nHost: 127.0.0.1:${upstream.port}\r\nAccept: text/html\r\nUser-Agent: pip/23\r\nConnection: close`,
    ]);
    expect(proxy.refused).toEqual([]);
  });

  it("refuses a plain-HTTP request to a host:port that is not allowed, and remembers it", async () => {
    const allowed = await recordingServer();
    const other = await recordingServer();
    const proxy = await proxyAllowing([`127.0.0.1:${allowed.port}`]);
    const { text } = await exchange(proxy, `GET http://127.0.0.1:${other.port}/simple/ HTTP/1.1\r\nHost: 127.0.0.1:${allowed.port}\r\n\r\n`);
    expect(text).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(text).toContain(`127.0.0.1:${other.port} is not an allowed package registry`);
    // The allowed host on port 80 (the URL's default) is another target.
    expect((await exchange(proxy, "GET http://127.0.0.1/ HTTP/1.1\r\n\r\n")).text).toMatch(/^HTTP\/1\.1 403 /);
    expect(proxy.refused).toEqual([`127.0.0.1:${other.port}`, "127.0.0.1:80"]);
    expect(other.heads).toEqual([]);
    expect(allowed.heads).toEqual([]);
  });

  it("cannot be steered elsewhere: the Host header is replaced, a second request in the connection is dropped", async () => {
    const allowed = await recordingServer();
    const other = await recordingServer();
    const proxy = await proxyAllowing([`127.0.0.1:${allowed.port}`]);
    const smuggled =
      `GET http://127.0.0.1:${allowed.port}/a HTTP/1.1\r\nHost: 127.0.0.1:${other.port}\r\n\r\n` +
      `GET http://127.0.0.1:${other.port}/b HTTP/1.1\r\nHost: 127.0.0.1:${other.port}\r\n\r\n` +
      `GET /c HTTP/1.1\r\nHost: 127.0.0.1:${allowed.port}\r\n\r\n`;
    const { text } = await exchange(proxy, smuggled);
    expect(text).toBe("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhello1");
    expect(allowed.heads).toEqual([`GET /a HTTP/1.1\r\nHost: 127.0.0.1:${allowed.port}\r\nConnection: close`]);
    expect(other.heads).toEqual([]);
    // The second request never got a look: nothing was refused either.
    expect(proxy.refused).toEqual([]);
  });

  it("still tunnels CONNECT to an allowed host next to plain HTTP", async () => {
    const upstream = await echoServer();
    const proxy = await proxyAllowing([`127.0.0.1:${upstream.port}`]);
    const { text } = await exchange(proxy, `CONNECT 127.0.0.1:${upstream.port} HTTP/1.1\r\n\r\nping`, "echo:ping");
    expect(text).toBe("HTTP/1.1 200 Connection Established\r\n\r\necho:ping");
  });

  it("reaches a repository's own setup host only at a public address: a name for the worker's loopback is refused, CONNECT and plain HTTP alike", async () => {
    const { port } = await echoServer();
    // "localhost" resolves to 127.0.0.1: allowed by name, but the repository chose it, so it must not reach the worker's own network.
    const guarded = await startRegistryProxy({
      socketPath: path.join(await tempDir("pw-proxy-"), "proxy.sock"),
      allowedHosts: [`localhost:${port}`],
      publicOnlyHosts: [`localhost:${port}`],
    });
    closers.push(() => guarded.close());
    const tunnelled = await exchange(guarded, `CONNECT localhost:${port} HTTP/1.1\r\n\r\nhello`);
    expect(tunnelled.text).toContain("502");
    expect(tunnelled.text).toContain("not a public address");
    expect(tunnelled.text).not.toContain("echo:");
    const forwarded = await exchange(guarded, `GET http://localhost:${port}/x HTTP/1.1\r\nHost: localhost:${port}\r\n\r\n`);
    expect(forwarded.text).toContain("502");
    expect(forwarded.text).not.toContain("echo:");
    // The same name allowed by the operator (not public-only) is reached: the guard is what refused it.
    const operator = await proxyAllowing([`localhost:${port}`]);
    expect((await exchange(operator, `CONNECT localhost:${port} HTTP/1.1\r\n\r\nhello`, "echo:hello")).text).toContain("echo:hello");
  });

  it("turns away connections beyond its limit with a 503, and counts them", async () => {
    const upstream = await echoServer();
    const proxy = await startRegistryProxy({ socketPath: path.join(await tempDir("pw-proxy-"), "proxy.sock"), allowedHosts: [`127.0.0.1:${upstream.port}`], maxConnections: 1, maxWaiting: 0 });
    closers.push(() => proxy.close());
    await exchange(proxy, `CONNECT 127.0.0.1:${upstream.port} HTTP/1.1\r\n\r\nfirst`, "echo:first");
    const second = await exchange(proxy, `CONNECT 127.0.0.1:${upstream.port} HTTP/1.1\r\n\r\n`);
    expect(second.text).toContain("503");
    expect(proxy.overloaded).toBe(1);
  });

  it("holds a connection beyond its limit until a slot frees, then serves it", async () => {
    const upstream = await echoServer();
    const proxy = await startRegistryProxy({ socketPath: path.join(await tempDir("pw-proxy-"), "proxy.sock"), allowedHosts: [`127.0.0.1:${upstream.port}`], maxConnections: 1 });
    closers.push(() => proxy.close());
    const first = connect(proxy.socketPath);
    closers.push(async () => first.destroy());
    first.write(`CONNECT 127.0.0.1:${upstream.port} HTTP/1.1\r\n\r\nfirst`);
    await new Promise<void>((resolve) => first.on("data", (chunk) => chunk.toString().includes("echo:first") && resolve()));
    // The second waits while the first holds the only slot...
    let secondText = "";
    const second = connect(proxy.socketPath);
    closers.push(async () => second.destroy());
    second.on("data", (chunk) => (secondText += chunk.toString()));
    second.write(`CONNECT 127.0.0.1:${upstream.port} HTTP/1.1\r\n\r\nsecond`);
    // ...is served once the first is done, with what it sent meanwhile.
    first.destroy();
    await new Promise<void>((resolve) => second.on("data", () => secondText.includes("echo:second") && resolve()));
    expect(secondText).toContain("200 Connection Established");
    expect(proxy.overloaded).toBe(0);
  });

  it("answers 502 when an allowed host cannot be reached", async () => {
    const upstream = await echoServer();
    await new Promise((resolve) => upstream.server.close(resolve));
    const proxy = await proxyAllowing([`127.0.0.1:${upstream.port}`]);
    const { text } = await exchange(proxy, `CONNECT 127.0.0.1:${upstream.port} HTTP/1.1\r\n\r\n`);
    expect(text).toMatch(/^HTTP\/1\.1 502 Bad Gateway\r\n[\s\S]*cannot reach 127\.0\.0\.1:\d+/);
  });

  it("cuts open tunnels when closed", async () => {
    const upstream = await echoServer();
    const proxy = await proxyAllowing([`127.0.0.1:${upstream.port}`]);
    const { socket } = await exchange(proxy, `CONNECT 127.0.0.1:${upstream.port} HTTP/1.1\r\n\r\n`, "\r\n\r\n");
    const closed = once(socket, "close");
    await proxy.close();
    await closed;
  });
});
