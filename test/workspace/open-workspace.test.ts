import { existsSync } from "node:fs";
import { chmod, mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openWorkspace } from "../../src/workspace/open-workspace.ts";
import { createTempWorkspaceDir, removeWorkspace, WORKSPACE_PREFIX } from "../../src/workspace/remove-workspace.ts";
import { startRemote, tempDir, TOKEN } from "./helpers.ts";

describe("openWorkspace", () => {
  it("clones at the sha and runs commands on that checkout in the sandbox", async () => {
    const remote = await startRemote();
    const parentDir = await tempDir();
    const workspace = await openWorkspace({ cloneUrl: remote.cloneUrl, sha: remote.firstSha, token: TOKEN, parentDir });
    expect(path.basename(workspace.dir).startsWith(WORKSPACE_PREFIX)).toBe(true);
    expect(workspace.sandbox.root).toBe(workspace.dir);
    expect(workspace.sandbox.isolation).toBe("bubblewrap");
    const result = await workspace.sandbox.run("cat a.txt; git rev-parse HEAD; echo $GIT_CONFIG_VALUE_0");
    expect(result.output).toBe(`one\n${remote.firstSha}\n\n`);

    await workspace.dispose();
    await workspace.dispose();
    expect(existsSync(workspace.dir)).toBe(false);
  });

  it("checks the sandbox before cloning and leaves nothing behind on failure", async () => {
    const remote = await startRemote();
    const parentDir = await tempDir();
    await expect(
      openWorkspace({ cloneUrl: remote.cloneUrl, sha: remote.firstSha, token: TOKEN, parentDir, bwrapPath: "/nonexistent/bwrap" }),
    ).rejects.toMatchObject({ code: "sandbox_unavailable" });
    expect(remote.server.requests).toEqual([]);
    expect(await readdir(parentDir)).toEqual([]);

    await expect(
      openWorkspace({ cloneUrl: remote.cloneUrl, sha: remote.firstSha, token: "ghs_BadTokenBadToken0123456789abcdef", parentDir }),
    ).rejects.toMatchObject({ code: "clone_failed" });
    expect(await readdir(parentDir)).toEqual([]);
  });
});

describe("createTempWorkspaceDir / removeWorkspace", () => {
  it("removes a tree with read-only directories, twice without error", async () => {
    const dir = await createTempWorkspaceDir(await tempDir());
    await mkdir(path.join(dir, "cache", "mod"), { recursive: true });
    await writeFile(path.join(dir, "cache", "mod", "file.go"), "package mod\n");
    await chmod(path.join(dir, "cache", "mod"), 0o500);
    await chmod(path.join(dir, "cache"), 0o500);
    await removeWorkspace(dir);
    expect(existsSync(dir)).toBe(false);
    await removeWorkspace(dir);
  });

  it("refuses to remove a root-level path", async () => {
    await expect(removeWorkspace("/")).rejects.toThrow(/Refusing/);
    await expect(removeWorkspace("/tmp")).rejects.toThrow(/Refusing/);
  });
});
