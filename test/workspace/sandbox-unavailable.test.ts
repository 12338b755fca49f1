import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PatchwrightError } from "../../src/errors.ts";
import { createSandbox } from "../../src/workspace/create-sandbox.ts";
import { hostProcessesWith, isAlive, tempDir } from "./helpers.ts";

describe("createSandbox without a usable bubblewrap", () => {
  it.each([
    ["missing", "/nonexistent/bwrap", /is not installed/],
    ["unusable", "/bin/false", /does not work here/],
  ])("refuses when bwrap is %s, saying how to fix it", async (_label, bwrapPath, reason) => {
    const error = await createSandbox({ root: await tempDir(), bwrapPath }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PatchwrightError);
    const { code, message, retryable } = error as PatchwrightError;
    expect(code).toBe("sandbox_unavailable");
    expect(retryable).toBe(false);
    expect(message).toMatch(reason);
    expect(message).toContain("apt-get install bubblewrap");
    expect(message).toContain("PATCHWRIGHT_ALLOW_UNSANDBOXED=1");
    expect(message).toContain("allowUnsandboxed");
  });

  it("still uses bubblewrap when it works, even with the opt-out", async () => {
    const sandbox = await createSandbox({ root: await tempDir(), allowUnsandboxed: true });
    expect(sandbox.isolation).toBe("bubblewrap");
  });

  it("runs on the host with the opt-out, keeping the env allowlist", async () => {
    const root = await tempDir();
    const secret = "ghs_HostModeSecret0123456789abcdefghijk";
    const saved = process.env.GITHUB_TOKEN;
    process.env.GITHUB_TOKEN = secret;
    try {
      const sandbox = await createSandbox({ root, bwrapPath: "/nonexistent/bwrap", allowUnsandboxed: true });
      expect(sandbox.isolation).toBe("host");
      const result = await sandbox.run("pwd; env; echo err >&2; exit 5", { env: { EXTRA: "x" } });
      expect(result.exitCode).toBe(5);
      expect(result.output.split("\n")[0]).toBe(root);
      expect(result.output).toContain("EXTRA=x");
      expect(result.output).toContain("CI=true");
      expect(result.output).toContain("err\n");
      expect(result.output).not.toContain(secret);
      expect(result.output).not.toContain("GITHUB_TOKEN");
    } finally {
      if (saved === undefined) delete process.env.GITHUB_TOKEN;
      else process.env.GITHUB_TOKEN = saved;
    }
  });

  it("kills the host process tree on timeout", async () => {
    const root = await tempDir();
    const marker = `pw-host-orphan-${process.pid}-${Date.now()}`;
    const sandbox = await createSandbox({ root, bwrapPath: "/nonexistent/bwrap", allowUnsandboxed: true });
    const result = await sandbox.run(
      `bash -c '(exec -a ${marker} sleep 1000) & echo $! > grandchild.pid; wait' & wait`,
      { timeoutMs: 1_500 },
    );
    expect(result).toMatchObject({ exitCode: 124, timedOut: true });
    const pid = Number((await readFile(path.join(root, "grandchild.pid"), "utf8")).trim());
    expect(pid).toBeGreaterThan(1);
    expect(await isAlive(pid)).toBe(false);
    expect(await hostProcessesWith(marker)).toEqual([]);
  });
});
