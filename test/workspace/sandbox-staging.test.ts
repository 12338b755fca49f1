/**
 * The sandbox's staging directory (generated /etc files, the relay's Node):
 * one per process, removed on exit, or earlier when released.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { generatedEtcPath, releaseStagingDir, stagingDir } from "../../src/workspace/sandbox-staging.ts";

describe("the staging directory", () => {
  it("is made once, removed when released, and made anew for the next sandbox", () => {
    const listeners = process.listenerCount("exit");
    const first = stagingDir();
    expect(stagingDir()).toBe(first);
    expect(readFileSync(generatedEtcPath("hostname"), "utf8")).toBe("patchwright\n");
    expect(process.listenerCount("exit")).toBe(listeners + 1);

    releaseStagingDir();
    expect(existsSync(first)).toBe(false);
    expect(process.listenerCount("exit")).toBe(listeners);

    const second = stagingDir();
    expect(second).not.toBe(first);
    expect(existsSync(path.join(second, "etc", "passwd"))).toBe(true);
    releaseStagingDir();
    expect(existsSync(second)).toBe(false);
    // Releasing twice is harmless.
    releaseStagingDir();
  });
});
