import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PatchwrightError } from "../../src/errors.ts";
import { createSandbox, DEFAULT_OUTPUT_LIMIT_BYTES } from "../../src/workspace/create-sandbox.ts";
import { hostProcessesWith, tempDir } from "./helpers.ts";

/**
 * A command whose process tree is bash → bash → sleep (renamed to `marker` so
 * the host can find it), writing the grandchild's pid before waiting forever.
 */
function treeCommand(marker: string): string {
  return `bash -c '(exec -a ${marker} sleep 1000) & echo $! > grandchild.pid; wait' & wait`;
}

describe("createSandbox (processes and output)", () => {
  it("returns non-zero exits and signals as results", async () => {
    const sandbox = await createSandbox({ root: await tempDir() });
    expect((await sandbox.run("exit 3")).exitCode).toBe(3);
    expect((await sandbox.run("kill -TERM $$")).exitCode).toBe(143);
    const missing = await sandbox.run("no-such-command-pw");
    expect(missing.exitCode).toBe(127);
    expect(missing.output).toContain("no-such-command-pw");
  });

  it("interleaves stdout and stderr in arrival order", async () => {
    const sandbox = await createSandbox({ root: await tempDir() });
    const result = await sandbox.run("echo out1; echo err1 >&2; echo out2; echo err2 >&2");
    expect(result.output).toBe("out1\nerr1\nout2\nerr2\n");
  });

  it("kills the whole process tree on timeout", async () => {
    const root = await tempDir();
    const marker = `pw-orphan-${process.pid}-${Date.now()}`;
    const sandbox = await createSandbox({ root, defaultTimeoutMs: 60_000 });
    const result = await sandbox.run(treeCommand(marker), { timeoutMs: 1_500 });
    expect(result).toMatchObject({ exitCode: 124, timedOut: true });
    // The grandchild did start (it wrote its pid) ...
    expect((await readFile(path.join(root, "grandchild.pid"), "utf8")).trim()).toMatch(/^\d+$/);
    // ... and nothing with its name is left on the host.
    expect(await hostProcessesWith(marker)).toEqual([]);
  });

  it("kills the whole process tree when the job is stopped (abort signal)", async () => {
    const root = await tempDir();
    const marker = `pw-stopped-${process.pid}-${Date.now()}`;
    const sandbox = await createSandbox({ root, defaultTimeoutMs: 60_000 });
    const controller = new AbortController();
    const running = sandbox.run(`${treeCommand(marker)}`, { signal: controller.signal });
    // Abort once the grandchild has written its pid (polling a file the command writes).
    while (!existsSync(path.join(root, "grandchild.pid"))) await new Promise((r) => setImmediate(r));
    controller.abort();
    const result = await running;
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).toBe(137);
    expect(await hostProcessesWith(marker)).toEqual([]);
  });

  it("leaves no background process behind after a normal exit, daemonised or not", async () => {
    const marker = `pw-background-${process.pid}-${Date.now()}`;
    const sandbox = await createSandbox({ root: await tempDir() });
    const result = await sandbox.run(
      `(exec -a ${marker} sleep 1000) > /dev/null 2>&1 & ` +
        // A new session, and a double fork re-parented away from the command: still in the PID namespace.
        `setsid -f bash -c 'exec -a ${marker}-setsid sleep 1000' > /dev/null 2>&1; ` +
        `nohup bash -c '(exec -a ${marker}-nohup sleep 1000) &' > /dev/null 2>&1; ` +
        // Wait until all three run under their names (a busy loop, no sleep).
        `until [ "$(cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' '\\n' | grep -c '^${marker}')" = 3 ]; do :; done; echo "started 3"`,
    );
    expect(result.output).toBe("started 3\n");
    expect(await hostProcessesWith(marker)).toEqual([]);
  });

  it("caps output keeping head and tail around a marker", async () => {
    const sandbox = await createSandbox({ root: await tempDir(), outputLimitBytes: 1_000 });
    const result = await sandbox.run("echo START; head -c 5000 /dev/zero | tr '\\0' x; echo; echo END");
    // 6 + 5000 + 1 + 4 bytes written, 1000 kept.
    expect(result.truncated).toBe(true);
    expect(result.output.startsWith("START\nxxx")).toBe(true);
    expect(result.output.endsWith("xxx\nEND\n")).toBe(true);
    expect(result.output).toContain("\n[... 4011 bytes truncated ...]\n");
    expect(result.output.length).toBe(1_000 + "\n[... 4011 bytes truncated ...]\n".length);
  });

  it("caps at 1 MiB by default", async () => {
    const sandbox = await createSandbox({ root: await tempDir() });
    const result = await sandbox.run("head -c 3000000 /dev/zero | tr '\\0' y");
    expect(result.truncated).toBe(true);
    expect(result.output).toContain(`[... ${3_000_000 - DEFAULT_OUTPUT_LIMIT_BYTES} bytes truncated ...]`);
  });

  it("survives binary and invalid UTF-8 output", async () => {
    const sandbox = await createSandbox({ root: await tempDir() });
    const result = await sandbox.run("printf 'ok\\xff\\xfe\\x00\\xc3\\x28 end\\n'; head -c 2000 /dev/urandom >/dev/null");
    expect(result.exitCode).toBe(0);
    expect(result.output.startsWith("ok\uFFFD\uFFFD\0\uFFFD( end")).toBe(true);
  });

  it("runs in a subdirectory and refuses one outside the workspace", async () => {
    const root = await tempDir();
    await mkdir(path.join(root, "pkg"));
    const sandbox = await createSandbox({ root });
    expect((await sandbox.run("pwd", { cwd: "pkg" })).output).toBe("/workspace/pkg\n");
    await expect(sandbox.run("pwd", { cwd: "../.." })).rejects.toMatchObject({ code: "policy_violation" });
    await expect(sandbox.run("pwd", { cwd: "/etc" })).rejects.toBeInstanceOf(PatchwrightError);
    expect(existsSync(path.join(root, "pkg"))).toBe(true);
  });
});
