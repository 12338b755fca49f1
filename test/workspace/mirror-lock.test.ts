import { execa } from "execa";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { withMirrorLock } from "../../src/workspace/mirror-lock.ts";
import { tempDir } from "./helpers.ts";

const MIRROR_LOCK = fileURLToPath(new URL("../../src/workspace/mirror-lock.ts", import.meta.url));

/** Lets other promises and child-process events run, without waiting for any time to pass. */
const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i += 1) await new Promise((resolve) => setImmediate(resolve));
};

describe("withMirrorLock", () => {
  it("lets one holder in at a time and releases on success and on failure", async () => {
    const lockFile = path.join(await tempDir(), "lock");
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    const holder = async (i: number): Promise<number> => {
      inside += 1;
      most = Math.max(most, inside);
      await turns(20);
      order.push(i);
      inside -= 1;
      if (i === 2) throw new Error("boom");
      return i;
    };
    const results = await Promise.allSettled([0, 1, 2, 3, 4].map((i) => withMirrorLock(lockFile, () => holder(i))));
    expect(most).toBe(1);
    expect(order.sort()).toEqual([0, 1, 2, 3, 4]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled", "fulfilled"]);
    expect(await withMirrorLock(lockFile, () => Promise.resolve("free"))).toBe("free");
  });

  it("excludes other processes, times out, and is freed when its holder is killed", async () => {
    const lockFile = path.join(await tempDir(), "lock");
    const script = [
      `import { withMirrorLock } from ${JSON.stringify(MIRROR_LOCK)};`,
      "await withMirrorLock(process.env.LOCK, () => { process.stdout.write('held\\n'); return new Promise(() => {}); });",
    ].join("\n");
    const child = execa(process.execPath, ["--input-type=module", "-e", script], { env: { LOCK: lockFile }, reject: false });
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));

    await expect(withMirrorLock(lockFile, () => Promise.resolve(), { waitMs: 1_000 })).rejects.toMatchObject({
      code: "clone_failed",
      message: expect.stringMatching(/still held by another job/),
    });
    child.kill("SIGKILL");
    await child;
    // The kernel dropped the dead holder's lock: no stale-lock clean-up needed.
    expect(await withMirrorLock(lockFile, () => Promise.resolve("mine"))).toBe("mine");
  });

  it("says what to install when flock is missing", async () => {
    const lockFile = path.join(await tempDir(), "lock");
    await expect(withMirrorLock(lockFile, () => Promise.resolve(), { flockPath: "/nonexistent/flock" })).rejects.toMatchObject({
      code: "clone_failed",
      message: expect.stringMatching(/cannot be started[\s\S]*flock is installed/),
    });
  });
});
