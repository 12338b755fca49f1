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
    ["plain HTTP", 405, "GET http://registry.npmjs.org/ HTTP/1.1\r\n\r\n"],
    ["a target without a port", 400, "CONNECT registry.npmjs.org HTTP/1.1\r\n\r\n"],
    ["an endless head", 431, `CONNECT registry.npmjs.org:443 HTTP/1.1\r\nX: ${"a".repeat(20_000)}`],
  ])("answers %s with %i", async (_label, status, request) => {
    const proxy = await proxyAllowing(["registry.npmjs.org"]);
    expect((await exchange(proxy, request)).text).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
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
