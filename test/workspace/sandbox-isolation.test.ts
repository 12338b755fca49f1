import { once } from "node:events";
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { existsSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createSandbox } from "../../src/workspace/create-sandbox.ts";
import { runGit } from "../../src/workspace/run-git.ts";
import { tempDir } from "./helpers.ts";

describe("createSandbox (bubblewrap isolation)", () => {
  let server: Server | undefined;
  afterEach(async () => {
    if (server) await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  async function listen(): Promise<{ port: number; connected: Promise<unknown> }> {
    server = createServer((socket) => socket.destroy());
    const connected = once(server, "connection");
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    return { port: address.port, connected };
  }

  it("uses bubblewrap and runs in /workspace", async () => {
    const sandbox = await createSandbox({ root: await tempDir() });
    expect(sandbox.isolation).toBe("bubblewrap");
    const result = await sandbox.run("pwd; echo $HOME; echo $CI $TERM");
    expect(result).toMatchObject({ exitCode: 0, timedOut: false, truncated: false });
    expect(result.output).toBe("/workspace\n/tmp/home\ntrue dumb\n");
  });

  it("denies the network unless asked, then reaches a port the test opened", async () => {
    const { port, connected } = await listen();
    const sandbox = await createSandbox({ root: await tempDir() });
    const denied = await sandbox.run(`echo hi > /dev/tcp/127.0.0.1/${port}`);
    expect(denied.exitCode).not.toBe(0);
    expect(denied.output).toMatch(/connect|refused|unreachable/i);
    const deniedCurl = await sandbox.run(`curl -sS --max-time 5 http://127.0.0.1:${port}/`);
    expect(deniedCurl.exitCode).not.toBe(0);

    const allowed = await sandbox.run(`echo hi > /dev/tcp/127.0.0.1/${port}`, { network: true });
    expect(allowed.exitCode).toBe(0);
    await connected; // the host server really saw the connection
  });

  it("keeps everything but the workspace, /tmp and HOME read-only", async () => {
    const root = await tempDir();
    const marker = `pw-tmp-${process.pid}-${Date.now()}`;
    const sandbox = await createSandbox({ root });
    const result = await sandbox.run(
      `for p in /usr/pw /etc/pw /pw /var/pw /bin/pw /workspace/../pw; do ` +
        `if touch "$p" 2>/dev/null; then echo "wrote $p"; else echo "denied $p"; fi; done; ` +
        `echo inside > inside.txt && echo t > /tmp/${marker} && echo h > "$HOME/h" && echo writable`,
    );
    expect(result.output).not.toContain("wrote");
    expect(result.output.match(/denied/g)).toHaveLength(6);
    expect(result.output).toContain("writable");
    expect(await readFile(path.join(root, "inside.txt"), "utf8")).toBe("inside\n");
    // /tmp inside is private: nothing reached the host's /tmp.
    expect(existsSync(`/tmp/${marker}`)).toBe(false);
  });

  it("makes .git (config, hooks) read-only while git can still read it", async () => {
    const root = await tempDir();
    await runGit(["init", "--quiet", root]);
    await mkdir(path.join(root, ".git", "hooks"), { recursive: true });
    const before = await readFile(path.join(root, ".git", "config"), "utf8");
    const sandbox = await createSandbox({ root });
    const result = await sandbox.run(
      "echo '[core] fsmonitor = touch /tmp/pwned' >> .git/config; echo config=$?; " +
        "echo '#!/bin/sh' > .git/hooks/pre-commit; echo hook=$?; " +
        "echo ../evil > .git/commondir; echo commondir=$?; mv .git .git-moved; echo move=$?; " +
        "git status --porcelain >/dev/null; echo status=$?",
    );
    expect(result.output).toMatch(/config=1\n/);
    expect(result.output).toMatch(/hook=1\n/);
    expect(result.output).toMatch(/commondir=1\n/);
    expect(result.output).not.toMatch(/move=0\n/);
    expect(result.output).toMatch(/status=0\n/);
    expect(await readFile(path.join(root, ".git", "config"), "utf8")).toBe(before);
    expect(existsSync(path.join(root, ".git", "hooks", "pre-commit"))).toBe(false);
  });

  it("does not let a symlink in the workspace write to the host", async () => {
    const root = await tempDir();
    const outside = await tempDir("pw-outside-");
    await writeFile(path.join(outside, "victim.txt"), "original\n");
    await symlink(outside, path.join(root, "escape-dir"));
    await symlink(path.join(outside, "victim.txt"), path.join(root, "escape-file"));
    const sandbox = await createSandbox({ root });
    await sandbox.run("echo pwned > escape-dir/new.txt; echo pwned > escape-file; ln -s / root-link; echo pwned > root-link/pw");
    expect(existsSync(path.join(outside, "new.txt"))).toBe(false);
    expect(await readFile(path.join(outside, "victim.txt"), "utf8")).toBe("original\n");
    expect(existsSync("/pw")).toBe(false);
  });

  it("ignores a .git symlink planted by an earlier command (no host mount, still usable)", async () => {
    // `.git -> /tmp` exists on both sides: binding root/.git would follow it to
    // the host's /tmp (bwrap 0.8 refuses the symlink destination, which would
    // instead break every later command). It must stay a plain symlink.
    const root = await tempDir();
    const outside = await tempDir("pw-outside-");
    await writeFile(path.join(outside, "secret.txt"), "host secret\n");
    const sandbox = await createSandbox({ root });
    await sandbox.run("ln -s /tmp .git");
    const result = await sandbox.run(`echo still-usable; cat .git/${path.basename(outside)}/secret.txt`);
    expect(result.output).toContain("still-usable");
    expect(result.exitCode).not.toBe(0);
    expect(result.output).not.toContain("host secret");
  });

  it("lets no host secret in: env, /proc/1/environ and every process environ", async () => {
    const secrets = {
      GITHUB_TOKEN: "ghs_HostSecretToken0123456789abcdefghij",
      OPENAI_API_KEY: "sk-HostSecretOpenAiKey0123456789",
      PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----HostSecretKey-----END RSA PRIVATE KEY-----",
    };
    const saved = Object.fromEntries(Object.keys(secrets).map((k) => [k, process.env[k]]));
    Object.assign(process.env, secrets);
    try {
      const sandbox = await createSandbox({ root: await tempDir() });
      const result = await sandbox.run("env; tr '\\0' '\\n' < /proc/1/environ; cat /proc/[0-9]*/environ | tr '\\0' '\\n'", {
        env: { EXTRA: "passed" },
      });
      expect(result.exitCode).toBe(0);
      expect(result.output).toContain("EXTRA=passed");
      expect(result.output).toContain("CI=true");
      for (const [name, value] of Object.entries(secrets)) {
        expect(result.output).not.toContain(name);
        expect(result.output).not.toContain(value);
      }
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
