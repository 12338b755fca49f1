import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PatchwrightError } from "../../src/errors.ts";
import { createSandbox } from "../../src/workspace/create-sandbox.ts";
import type { ExtraBind } from "../../src/workspace/sandbox-extra-binds.ts";
import { tempDir } from "./helpers.ts";

describe("createSandbox (extra binds)", () => {
  it("mounts a writable cache that outlives the command, and a read-only one", async () => {
    const cache = await tempDir("pw-cache-");
    const reference = await tempDir("pw-reference-");
    await writeFile(path.join(reference, "data.txt"), "reference\n");
    const extraBinds: ExtraBind[] = [
      { hostPath: cache, sandboxPath: "/tmp/home/.npm", writable: true },
      { hostPath: reference, sandboxPath: "/reference", writable: false },
    ];
    const first = await createSandbox({ root: await tempDir(), extraBinds });
    const wrote = await first.run(
      'echo cached > "$HOME/.npm/entry"; echo cache=$?; cat /reference/data.txt; ' +
        "(echo pwned > /reference/data.txt) 2>/dev/null; echo reference=$?",
    );
    expect(wrote.output).toBe("cache=0\nreference\nreference=1\n");
    expect(await readFile(path.join(cache, "entry"), "utf8")).toBe("cached\n");
    expect(await readFile(path.join(reference, "data.txt"), "utf8")).toBe("reference\n");
    // The next job (another workspace) of the same repository reads it.
    const second = await createSandbox({ root: await tempDir(), extraBinds });
    expect((await second.run('cat "$HOME/.npm/entry"')).output).toBe("cached\n");
  });

  it("allows no hardlink between the workspace and a writable bind", async () => {
    const cache = await tempDir("pw-cache-");
    await writeFile(path.join(cache, "cached.txt"), "cached\n");
    const sandbox = await createSandbox({ root: await tempDir(), extraBinds: [{ hostPath: cache, sandboxPath: "/cache", writable: true }] });
    const result = await sandbox.run("echo w > w.txt; ln /cache/cached.txt into-workspace; echo in=$?; ln w.txt /cache/into-cache; echo out=$?");
    expect(result.output).toMatch(/Invalid cross-device link[\s\S]*in=1\n[\s\S]*Invalid cross-device link[\s\S]*out=1\n/);
  });

  it.each<[string, (dirs: { root: string; host: string }) => ExtraBind, RegExp]>([
    ["a relative sandboxPath", ({ host }) => ({ hostPath: host, sandboxPath: "cache", writable: true }), /absolute, normalised/],
    ["a sandboxPath with ..", ({ host }) => ({ hostPath: host, sandboxPath: "/cache/../etc", writable: true }), /absolute, normalised/],
    ["the root", ({ host }) => ({ hostPath: host, sandboxPath: "/", writable: true }), /may not be \//],
    ["/tmp itself", ({ host }) => ({ hostPath: host, sandboxPath: "/tmp", writable: true }), /may not be/],
    ["a system directory", ({ host }) => ({ hostPath: host, sandboxPath: "/usr/lib/x", writable: false }), /at or under/],
    ["/etc", ({ host }) => ({ hostPath: host, sandboxPath: "/etc", writable: false }), /at or under/],
    ["/proc", ({ host }) => ({ hostPath: host, sandboxPath: "/proc/self", writable: false }), /at or under/],
    ["the workspace", ({ host }) => ({ hostPath: host, sandboxPath: "/workspace/node_modules", writable: true }), /at or under/],
    ["the proxy's place", ({ host }) => ({ hostPath: host, sandboxPath: "/run/patchwright/node", writable: false }), /at or under/],
    ["a missing hostPath", () => ({ hostPath: "/nonexistent/pw-cache", sandboxPath: "/cache", writable: true }), /does not exist/],
    ["a relative hostPath", () => ({ hostPath: "cache", sandboxPath: "/cache", writable: true }), /must be absolute/],
    ["a parent of the workspace", ({ root }) => ({ hostPath: path.dirname(root), sandboxPath: "/cache", writable: false }), /workspace/],
    ["the workspace's .git", ({ root }) => ({ hostPath: path.join(root, ".git"), sandboxPath: "/cache", writable: true }), /workspace/],
    ["a writable system directory", () => ({ hostPath: "/etc", sandboxPath: "/cache", writable: true }), /system directory/],
  ])("refuses %s", async (_label, bindFor, problem) => {
    const root = await tempDir();
    await mkdir(path.join(root, ".git"));
    const host = await tempDir("pw-cache-");
    const error = await createSandbox({ root, extraBinds: [bindFor({ root, host })] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PatchwrightError);
    expect((error as PatchwrightError).message).toMatch(problem);
    expect((error as PatchwrightError).message).toContain("extraBinds");
  });

  it("refuses the same sandboxPath twice", async () => {
    const host = await tempDir("pw-cache-");
    const bind: ExtraBind = { hostPath: host, sandboxPath: "/cache", writable: false };
    await expect(createSandbox({ root: await tempDir(), extraBinds: [bind, bind] })).rejects.toThrow(/already bound/);
  });
});
