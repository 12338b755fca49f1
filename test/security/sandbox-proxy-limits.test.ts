/**
 * The registry proxy is the sandbox's only line to the worker's network: a
 * setup script that opens connections and parks them must not exhaust the
 * worker's sockets. Over the cap: a bounded wait, then a 503; idle: closed.
 */
import { once } from "node:events";
import { connect, createServer, type Socket } from "node:net";
import path from "node:path";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startRegistryProxy } from "../../src/workspace/registry-proxy.ts";
import { tempDir } from "../workspace/helpers.ts";

describe("registry proxy limits", () => {
  // Raw CONNECT bytes on unix sockets and loopback only: nock's interceptor would misread them.
  beforeAll(() => nock.restore());
  afterAll(() => nock.activate());
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  async function open(socketPath: string): Promise<Socket> {
    const socket = connect(socketPath);
    closers.push(async () => socket.destroy());
    await once(socket, "connect");
    return socket;
  }

  function collect(socket: Socket): () => string {
    let text = "";
    socket.on("data", (chunk: Buffer) => (text += chunk.toString()));
    return () => text;
  }

  it("holds connections beyond maxConnections in a bounded queue, answers 503 beyond it, and serves a waiting one once a slot frees", async () => {
    const proxy = await startRegistryProxy({ socketPath: path.join(await tempDir("pw-proxy-"), "proxy.sock"), allowedHosts: [], maxConnections: 2, maxWaiting: 1 });
    closers.push(() => proxy.close());
    // The attack: park connections (an unfinished request head) to hold the worker's sockets.
    const parked = [await open(proxy.socketPath), await open(proxy.socketPath)];
    for (const socket of parked) socket.write("CONNECT registry.npmjs.org:443 HTTP/1.1\r\n");
    // The third waits for a slot, its request already sent...
    const waiting = await open(proxy.socketPath);
    const waitingText = collect(waiting);
    waiting.write("CONNECT example.com:443 HTTP/1.1\r\n\r\n");
    // ...and the fourth is over the queue's bound: a 503, at once.
    const fourth = await open(proxy.socketPath);
    const fourthText = collect(fourth);
    await once(fourth, "close");
    console.log(`fourth connection -> ${fourthText().split("\r\n")[0]}`);
    expect(fourthText()).toMatch(/^HTTP\/1\.1 503 /);
    expect(fourthText()).toContain("more than 3 connections");
    expect(proxy.overloaded).toBe(1);
    expect(waitingText()).toBe("");
    // One parked connection goes away: the waiting one is served (here: refused by the allowlist, 403).
    parked[0]?.destroy();
    await once(waiting, "close");
    expect(waitingText()).toMatch(/^HTTP\/1\.1 403 /);
  });

  it("closes idle connections: a stalled head and a parked tunnel", async () => {
    const upstream = createServer((socket) => socket.on("error", () => undefined));
    upstream.listen(0, "127.0.0.1");
    await once(upstream, "listening");
    closers.push(() => new Promise((resolve) => upstream.close(resolve)));
    const address = upstream.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    const idleTimeoutMs = 150;
    const proxy = await startRegistryProxy({
      socketPath: path.join(await tempDir("pw-proxy-"), "proxy.sock"),
      allowedHosts: [`127.0.0.1:${address.port}`],
      idleTimeoutMs,
    });
    closers.push(() => proxy.close());

    const stalled = await open(proxy.socketPath);
    stalled.write("CONNECT 127.0.0.1");
    const tunnel = await open(proxy.socketPath);
    const tunnelText = collect(tunnel);
    tunnel.write(`CONNECT 127.0.0.1:${address.port} HTTP/1.1\r\n\r\n`);
    const started = performance.now();
    // No sleeps: the proxy must close both by itself.
    await Promise.all([once(stalled, "close"), once(tunnel, "close")]);
    const elapsed = performance.now() - started;
    console.log(`stalled head and idle tunnel closed by the proxy after ${Math.round(elapsed)} ms; tunnel said ${tunnelText().split("\r\n")[0]}`);
    expect(tunnelText()).toMatch(/^HTTP\/1\.1 200 /);
    expect(elapsed).toBeGreaterThanOrEqual(idleTimeoutMs - 20);
  });
});
