/**
 * Issue 10, invariant 5: the workspace's disk use is bounded while a command
 * runs, not only after it. The attack writes many files, each under the
 * single-file limit, as fast as a shell can, towards 50 times the workspace
 * limit; the watchdog must kill it soon after it crosses the limit. Bytes are
 * measured, never time.
 */
import { readdir } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { PatchwrightError } from "../../src/errors.ts";
import { createSandbox } from "../../src/workspace/create-sandbox.ts";
import { diskUsageBytes } from "../../src/workspace/sandbox-disk-usage.ts";
import { tempDir } from "../workspace/helpers.ts";

const MIB = 1024 * 1024;
const LIMIT = 20 * MIB;
const ATTACK_FILES = 1000;

describe("sandbox attack on the host's disk (issue 10, invariant 5)", () => {
  it("kills a command that writes past the workspace limit while it writes, and names the limit", async () => {
    const root = await tempDir();
    const sandbox = await createSandbox({ root, limits: { workspaceBytes: LIMIT, fileBytes: 2 * MIB } });
    const attack = `mkdir fill && for i in $(seq 1 ${ATTACK_FILES}); do head -c ${MIB} /dev/urandom > fill/$i || exit 1; done; echo wrote-everything`;
    const error = await sandbox.run(attack).then(
      (result) => result,
      (caught: unknown) => caught,
    );
    const used = (await diskUsageBytes(root)) ?? Number.NaN;
    const files = (await readdir(`${root}/fill`)).length;
    console.log(
      `--- workspace fill attack (${ATTACK_FILES} files of 1 MiB, limit ${LIMIT / MIB} MiB) ---\n` +
        `${error instanceof Error ? error.message : JSON.stringify(error)}\nfiles written: ${files}, workspace now ${(used / MIB).toFixed(1)} MiB`,
    );
    expect(error).toBeInstanceOf(PatchwrightError);
    const { code, message } = error as PatchwrightError;
    expect(code).toBe("policy_violation");
    expect(message).toMatch(/over its limit of 20 MiB \(the sandbox limit workspaceBytes/);
    expect(message).toMatch(/while a command ran, so the command was stopped/);
    // What the watchdog measured when it stopped the command: at or past the limit, short of the attack.
    const measured = Number(/grew to (\d+) MiB/.exec(message)?.[1]) * MIB;
    expect(measured).toBeGreaterThanOrEqual(LIMIT);
    // Stopped mid-write: it wrote far less than it tried to.
    expect(files).toBeLessThan(ATTACK_FILES / 2);
    // After the kill decision almost nothing more: below 2x the limit plus what it wrote in the sample that crossed it.
    expect(used).toBeLessThan(2 * LIMIT + (measured - LIMIT) + MIB);
  });
});
