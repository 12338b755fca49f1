import { mkdir, symlink } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveInJail } from "../../src/security/path-jail.ts";
import { makeWorkspace } from "./helpers.ts";
import type { TempWorkspace } from "./helpers.ts";

describe("resolveInJail", () => {
  let ws: TempWorkspace;
  beforeEach(async () => {
    ws = await makeWorkspace({ "src/index.ts": "export {};\n", "secret.txt": "inside" });
    await symlink(path.join(ws.outside), path.join(ws.root, "out-dir"));
    await symlink(path.join(ws.outside, "missing.txt"), path.join(ws.root, "dangling"));
    await symlink("src", path.join(ws.root, "src-link"));
    await mkdir(path.join(ws.outside, "sub"));
  });
  afterEach(() => ws.cleanup());

  it("accepts relative paths inside the workspace, existing or not", async () => {
    const existing = await resolveInJail(ws.root, "./src//index.ts");
    expect(existing).toEqual({ ok: true, absolute: path.join(ws.root, "src/index.ts"), relative: "src/index.ts", realRelative: "src/index.ts" });
    const created = await resolveInJail(ws.root, "src/new/deep/file.ts");
    expect(created).toMatchObject({ ok: true, absolute: path.join(ws.root, "src/new/deep/file.ts") });
    expect(await resolveInJail(ws.root, ".")).toMatchObject({ ok: true, absolute: ws.root, relative: "." });
  });

  it("follows symlinks that stay inside and reports where they lead", async () => {
    const result = await resolveInJail(ws.root, "src-link/index.ts");
    expect(result).toMatchObject({ ok: true, relative: "src-link/index.ts", realRelative: "src/index.ts" });
  });

  it.each([
    ["../x", /contains "\.\."/],
    ["src/../../x", /contains "\.\."/],
    ["src/../secret.txt", /contains "\.\."/],
    ["/etc/passwd", /is absolute/],
    ["~/.ssh/id_rsa", /is absolute/],
    ["C:/Windows", /is absolute/],
    ["out-dir/anything.txt", /symbolic link that points outside/],
    ["out-dir/sub/new.txt", /symbolic link that points outside/],
    ["dangling", /target does not exist/],
    ["secret.txt/x", /is a file, not a directory/],
  ])("refuses %s", async (requested, reason) => {
    const result = await resolveInJail(ws.root, requested);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});
