import { once } from "node:events";
import { existsSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createSandbox } from "../../src/workspace/create-sandbox.ts";
import { tempDir } from "./helpers.ts";

/**
 * Whether the host has `tool`. A test that needs it fails under CI=true
 * rather than proving less; elsewhere it proves the point with what is there.
 */
function hostHas(tool: string): boolean {
  const found = ["/usr/local/bin", "/usr/bin", "/bin"].some((dir) => existsSync(`${dir}/${tool}`));
  if (!found && process.env.CI === "true") throw new Error(`${tool} is not installed; install it (see scripts/test.sh) and run again.`);
  return found;
}

describe("createSandbox (network)", () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  });

  /** A loopback TCP server the host can reach; counts the connections it gets. */
  async function listenTcp(): Promise<{ port: number; connections: () => number; connected: Promise<unknown> }> {
    let count = 0;
    const server = createServer((socket) => {
      count += 1;
      socket.destroy();
    });
    servers.push(server);
    const connected = once(server, "connection");
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    return { port: portOf(server), connections: () => count, connected };
  }

  /** A loopback HTTP server standing in for a package registry. */
  async function listenRegistry(body: string): Promise<{ port: number; requests: () => number }> {
    let count = 0;
    const server = createHttpServer((_request, response) => {
      count += 1;
      response.end(body);
    });
    servers.push(server);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    return { port: portOf(server), requests: () => count };
  }

  it("has no network: bash /dev/tcp, curl, wget and DNS all fail, to a port the host reaches", async () => {
    const { port, connections } = await listenTcp();
    const sandbox = await createSandbox({ root: await tempDir() });
    const clients = [`echo hi > /dev/tcp/127.0.0.1/${port}`, `curl -sS --max-time 5 http://127.0.0.1:${port}/`, "curl -sS --max-time 5 https://example.com/"];
    expect(hostHas("curl")).toBe(true);
    // wget is optional outside CI: the clients above already prove the point.
    if (hostHas("wget")) clients.push(`wget -q -T 5 -t 1 -O - http://127.0.0.1:${port}/`, "wget -q -T 5 -t 1 -O - https://example.com/");
    for (const client of clients) {
      const result = await sandbox.run(client);
      expect({ client, exitCode: result.exitCode }).not.toEqual({ client, exitCode: 0 });
    }
    // Name resolution has nothing to talk to; /etc/hosts (read-only) still answers.
    const dns = await sandbox.run("getent hosts example.com; echo external=$?; getent hosts localhost >/dev/null; echo local=$?");
    expect(dns.output).toMatch(/external=2\n/);
    expect(dns.output).toMatch(/local=0\n/);
    // Not one connection reached the host, yet the host can reach its own server.
    expect(connections()).toBe(0);
    const control = await createSandbox({ root: await tempDir(), setupNetwork: { mode: "host" } });
    expect((await control.run(`echo hi > /dev/tcp/127.0.0.1/${port}`, { network: true })).exitCode).toBe(0);
  });

  it("has no network interface but its own loopback", async () => {
    const sandbox = await createSandbox({ root: await tempDir() });
    const result = await sandbox.run("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '");
    expect(result.output).toBe("lo\n");
  });

  it("gives the setup phase the allowlisted registries only, through the proxy", async () => {
    const registry = await listenRegistry("registry-ok\n");
    const other = await listenRegistry("other\n");
    const sandbox = await createSandbox({
      root: await tempDir(),
      setupNetwork: { mode: "registries", allowedHosts: [`127.0.0.1:${registry.port}`] },
    });
    expect(hostHas("curl")).toBe(true);
    const result = await sandbox.run(
      // Tools find the proxy in the usual variables; curl tunnels with CONNECT.
      `curl -sS --proxytunnel http://127.0.0.1:${registry.port}/; echo allowed=$?; ` +
        `curl -sS --proxytunnel http://127.0.0.1:${other.port}/ 2>&1; echo other=$?; ` +
        "curl -sS https://example.com/ 2>&1; echo internet=$?; " +
        // Around the proxy there is still no network, even to the allowed host.
        `(echo hi > /dev/tcp/127.0.0.1/${registry.port}) 2>/dev/null; echo direct=$?; ` +
        'env | grep -E "^(HTTPS_PROXY|npm_config_https_proxy)=" | sort',
      { network: true },
    );
    expect(result.output).toContain("registry-ok\nallowed=0\n");
    expect(result.output).toMatch(/403/);
    expect(result.output).not.toMatch(/other=0\n/);
    expect(result.output).not.toMatch(/internet=0\n/);
    expect(result.output).toMatch(/direct=1\n/);
    expect(result.output).toMatch(/^HTTPS_PROXY=http:\/\/127\.0\.0\.1:\d+$/m);
    expect(result.output).toMatch(/^npm_config_https_proxy=http:\/\/127\.0\.0\.1:\d+$/m);
    // The command's output says what was refused, for whoever reads the setup log.
    expect(result.output).toContain(`[patchwright: the setup network refused 127.0.0.1:${other.port}, example.com:443: not an allowed package registry]`);
    expect(registry.requests()).toBe(1);
    expect(other.requests()).toBe(0);
  });

  it("forwards plain HTTP to the sandbox's extra hosts and a command's own, and to nothing else", async () => {
    const mirror = await listenRegistry("mirror-ok\n");
    const index = await listenRegistry("index-ok\n");
    const other = await listenRegistry("other\n");
    const sandbox = await createSandbox({
      root: await tempDir(),
      setupNetwork: { mode: "registries", allowedHosts: [], extraHosts: [`127.0.0.1:${mirror.port}`] },
    });
    expect(hostHas("curl")).toBe(true);
    // curl sends http:// URLs to the proxy in absolute form (no tunnel): the LAN index case.
    const fetchAll = `for port in ${mirror.port} ${index.port} ${other.port}; do curl -sS http://127.0.0.1:$port/simple/ 2>&1; echo "$port=$?"; done`;
    const withIndex = await sandbox.run(fetchAll, { network: true, allowedHosts: [`127.0.0.1:${index.port}`] });
    expect(withIndex.output).toContain(`mirror-ok\n${mirror.port}=0\n`);
    expect(withIndex.output).toContain(`index-ok\n${index.port}=0\n`);
    expect(withIndex.output).toContain(`127.0.0.1:${other.port} is not an allowed package registry`);
    expect(withIndex.output).toContain(`[patchwright: the setup network refused 127.0.0.1:${other.port}: not an allowed package registry]`);
    // The command's own hosts were for that command only.
    const without = await sandbox.run(fetchAll, { network: true });
    expect(without.output).toContain(`[patchwright: the setup network refused 127.0.0.1:${index.port}, 127.0.0.1:${other.port}: not an allowed package registry]`);
    expect([mirror.requests(), index.requests(), other.requests()]).toEqual([2, 1, 0]);
  });

  it("speaks plain CONNECT to bash alone (no client tools needed)", async () => {
    const registry = await listenRegistry("registry-ok\n");
    const sandbox = await createSandbox({ root: await tempDir(), setupNetwork: { mode: "registries", allowedHosts: [`127.0.0.1:${registry.port}`] } });
    const result = await sandbox.run(
      'exec 3<>"/dev/tcp/127.0.0.1/${HTTPS_PROXY##*:}" && ' +
        `printf 'CONNECT 127.0.0.1:${registry.port} HTTP/1.1\\r\\n\\r\\nGET / HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3`,
      { network: true },
    );
    expect(result.output).toMatch(/^HTTP\/1\.1 200 Connection Established\r\n\r\nHTTP\/1\.1 200 OK/);
    expect(result.output).toContain("registry-ok");
  });

  it("runs commands without network: true with no proxy at all", async () => {
    const registry = await listenRegistry("registry-ok\n");
    const sandbox = await createSandbox({ root: await tempDir(), setupNetwork: { mode: "registries", allowedHosts: [`127.0.0.1:${registry.port}`] } });
    const result = await sandbox.run('echo "proxy=${HTTPS_PROXY:-none}"; ls /run/patchwright 2>&1 >/dev/null | wc -l');
    expect(result.output).toBe("proxy=none\n1\n");
    expect(registry.requests()).toBe(0);
  });

  it("shares the host network with setupNetwork host, for the setup phase only", async () => {
    const { port, connected } = await listenTcp();
    const sandbox = await createSandbox({ root: await tempDir(), setupNetwork: { mode: "host" } });
    expect((await sandbox.run(`echo hi > /dev/tcp/127.0.0.1/${port}`)).exitCode).not.toBe(0);
    expect((await sandbox.run(`echo hi > /dev/tcp/127.0.0.1/${port}`, { network: true })).exitCode).toBe(0);
    await connected;
  });
});

function portOf(server: { address(): ReturnType<Server["address"]> }): number {
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}
