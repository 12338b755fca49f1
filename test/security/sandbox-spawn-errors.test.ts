/**
 * A command that cannot even start (bwrap gone, no file descriptors left)
 * fails its job with a report the pipeline maps, and never the worker.
 */
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { readdirSync } from "node:fs";
import { copyFile, rm } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PatchwrightError, toOutcome } from "../../src/errors.ts";
import { createSandbox } from "../../src/workspace/create-sandbox.ts";
import { tempDir } from "../workspace/helpers.ts";

async function failureOf(promise: Promise<unknown>): Promise<PatchwrightError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PatchwrightError);
  return error as PatchwrightError;
}

describe("spawn errors", () => {
  it("bubblewrap removed after the probe (ENOENT): a sandbox_unavailable report, not a failing test", async () => {
    const bin = await tempDir("pw-bwrap-");
    const bwrapPath = path.join(bin, "bwrap");
    await copyFile("/usr/bin/bwrap", bwrapPath);
    const sandbox = await createSandbox({ root: await tempDir(), bwrapPath });
    expect((await sandbox.run("echo works")).output).toBe("works\n");
    await rm(bwrapPath);
    const error = await failureOf(sandbox.run("echo never"));
    console.log(`run after bwrap vanished -> ${error.code}: ${error.message}`);
    expect(error.code).toBe("sandbox_unavailable");
    expect(error.message).toContain(bwrapPath);
    expect(toOutcome(error, 1, 3)).toMatchObject({ action: "report", code: "sandbox_unavailable" });
  });

  it("out of file descriptors (EMFILE): a retryable sandbox_unavailable, and the worker carries on", async () => {
    const sandbox = await createSandbox({ root: await tempDir() });
    const limits = execFileSync("prlimit", ["--pid", String(process.pid), "--nofile", "--raw", "--noheadings", "--output", "SOFT,HARD"], { encoding: "utf8" })
      .trim()
      .split(/\s+/);
    const [soft, hard] = limits;
    // The attack's effect, injected: this process has (almost) no descriptor left to make pipes with.
    // Restoring must not need a descriptor: a helper started now restores the limit when its stdin closes.
    const restorer = spawn("sh", ["-c", `cat >/dev/null; prlimit --pid ${process.pid} --nofile=${soft}:${hard}`], { stdio: ["pipe", "ignore", "ignore"] });
    const restored = once(restorer, "exit");
    const inUse = readdirSync("/proc/self/fd").length;
    execFileSync("prlimit", ["--pid", String(process.pid), `--nofile=${inUse}:${hard}`]);
    let error: PatchwrightError;
    try {
      error = await failureOf(sandbox.run("echo never"));
    } finally {
      restorer.stdin.end();
      await restored;
    }
    console.log(`run without file descriptors -> ${error.code} (retryable ${error.retryable}): ${error.message}`);
    expect(error.code).toBe("sandbox_unavailable");
    expect(error.message).toMatch(/EMFILE/);
    expect(toOutcome(error, 1, 3)).toMatchObject({ action: "retry", code: "sandbox_unavailable" });
    // The same sandbox works again once descriptors are back.
    expect((await sandbox.run("echo again")).output).toBe("again\n");
  });
});
