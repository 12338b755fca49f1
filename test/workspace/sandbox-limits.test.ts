import { describe, expect, it } from "vitest";
import { PatchwrightError } from "../../src/errors.ts";
import { createSandbox } from "../../src/workspace/create-sandbox.ts";
import { DEFAULT_SANDBOX_LIMITS, resolveSandboxLimits } from "../../src/workspace/sandbox-limits.ts";
import { hostProcessesWith, tempDir } from "./helpers.ts";

const MIB = 1024 * 1024;

describe("createSandbox (resource limits)", () => {
  it("applies safe defaults that the command cannot raise", async () => {
    const sandbox = await createSandbox({ root: await tempDir() });
    const result = await sandbox.run(
      "echo processes=$(ulimit -u) data=$(ulimit -d) core=$(ulimit -c); " +
        "ulimit -u 1000000 2>/dev/null; echo raise-processes=$?; ulimit -d unlimited 2>/dev/null; echo raise-data=$?; " +
        "df -k /tmp | tail -1 | tr -s ' ' | cut -d' ' -f2",
    );
    expect(result.output).toContain(
      `processes=${DEFAULT_SANDBOX_LIMITS.maxProcesses} data=${DEFAULT_SANDBOX_LIMITS.memoryBytes / 1024} core=0\n`,
    );
    expect(result.output).toContain("raise-processes=1\nraise-data=1\n");
    expect(result.output.trim().split("\n").at(-1)).toBe(String(DEFAULT_SANDBOX_LIMITS.tmpBytes / 1024));
  });

  it("contains a fork bomb within maxProcesses, and the timeout leaves nothing behind", async () => {
    const marker = `pw-forkbomb-${process.pid}-${Date.now()}`;
    const maxProcesses = 64;
    const sandbox = await createSandbox({ root: await tempDir(), limits: { maxProcesses } });
    // Every process of the bomb is a bash whose command line holds the marker;
    // each waits for its children, so the bomb keeps what it reached.
    const running = sandbox.run(`: ${marker}; bomb() { bomb | bomb & wait; }; bomb`, { timeoutMs: 3_000 });
    let settled = false;
    running.then(
      () => (settled = true),
      () => (settled = true),
    );
    let peak = 0;
    while (!settled) peak = Math.max(peak, (await hostProcessesWith(marker)).length);
    const result = await running;
    expect(result).toMatchObject({ timedOut: true, exitCode: 124 });
    // The bomb did press against the limit (forks failed: "fork: retry")...
    expect(result.output).toMatch(/fork: (retry: )?Resource temporarily unavailable/);
    expect(peak).toBeGreaterThan(maxProcesses / 2);
    // ... and never got past it: the sandbox's processes plus bwrap on the host side.
    expect(peak).toBeLessThanOrEqual(maxProcesses + 1);
    expect(await hostProcessesWith(marker)).toEqual([]);
  });

  it("caps the memory of each process", async () => {
    const sandbox = await createSandbox({ root: await tempDir(), limits: { memoryBytes: 128 * MIB } });
    const allocate = (bytes: number, label: string): string =>
      `bash -c 'x=$(head -c ${bytes} /dev/zero | tr "\\0" a); echo ${label}=\${#x}'; echo ${label}-exit=$?`;
    const result = await sandbox.run(`${allocate(16 * MIB, "small")}; ${allocate(256 * MIB, "big")}`);
    expect(result.output).toContain(`small=${16 * MIB}\nsmall-exit=0\n`);
    expect(result.output).toMatch(/cannot allocate/);
    expect(result.output).not.toMatch(/big=\d/);
    expect(result.output).not.toContain("big-exit=0");
  });

  it("caps the private /tmp (and HOME on it), not the workspace", async () => {
    const sandbox = await createSandbox({ root: await tempDir(), limits: { tmpBytes: MIB } });
    const result = await sandbox.run(
      "head -c 2097152 /dev/zero > /tmp/big 2>/dev/null; echo tmp=$?; " +
        'head -c 2097152 /dev/zero > "$HOME/big" 2>/dev/null; echo home=$?; ' +
        "head -c 2097152 /dev/zero > big; echo workspace=$?",
    );
    expect(result.output).toBe("tmp=1\nhome=1\nworkspace=0\n");
  });

  it.each([
    [{ maxProcesses: 0 }, /maxProcesses/],
    [{ maxProcesses: 10.5 }, /maxProcesses/],
    [{ memoryBytes: 1024 }, /memoryBytes/],
    [{ tmpBytes: Number.NaN }, /tmpBytes/],
  ])("rejects %o, naming the option", async (limits, name) => {
    expect(() => resolveSandboxLimits(limits)).toThrow(name);
    const error = await createSandbox({ root: await tempDir(), limits }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PatchwrightError);
    expect((error as PatchwrightError).message).toMatch(/fix the limits option/);
  });
});
