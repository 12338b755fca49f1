import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cloneAtSha } from "../../src/workspace/clone-at-sha.ts";
import { commitAll } from "../../src/workspace/commit-all.ts";
import { diffWorkspace } from "../../src/workspace/diff-workspace.ts";
import { runGit } from "../../src/workspace/run-git.ts";
import { startRemote, tempDir, TOKEN, workspaceAt } from "./helpers.ts";

async function clonedFirstCommit(): Promise<{ dir: string; baseSha: string }> {
  const remote = await startRemote();
  const dir = path.join(await tempDir(), "clone");
  await cloneAtSha({ cloneUrl: remote.cloneUrl, sha: remote.firstSha, token: TOKEN, dir });
  return { dir, baseSha: remote.firstSha };
}

describe("diffWorkspace", () => {
  it("is empty for an untouched checkout", async () => {
    const { dir, baseSha } = await clonedFirstCommit();
    const baseTree = (await runGit(["rev-parse", `${baseSha}^{tree}`], { cwd: dir })).stdout.trim();
    expect(await diffWorkspace({ workspace: await workspaceAt(dir), baseSha })).toEqual({ patch: "", files: [], insertions: 0, deletions: 0, tree: baseTree });
  });

  it("lists modified, new (untracked), deleted and binary files without touching the index", async () => {
    const { dir, baseSha } = await clonedFirstCommit();
    await writeFile(path.join(dir, "a.txt"), "one\nmore\n");
    await writeFile(path.join(dir, "src", "lib.js"), "export const x = 2;\n");
    await mkdir(path.join(dir, "test"));
    await writeFile(path.join(dir, "test", "new.test.js"), "line 1\nline 2\nline 3\n");
    await writeFile(path.join(dir, "image.bin"), Buffer.from([0, 1, 2, 0, 255, 0]));
    await rm(path.join(dir, "c.txt"));
    await writeFile(path.join(dir, ".gitignore"), "node_modules/\n");
    await mkdir(path.join(dir, "node_modules"));
    await writeFile(path.join(dir, "node_modules", "ignored.js"), "ignored\n");

    const diff = await diffWorkspace({ workspace: await workspaceAt(dir), baseSha });
    const added = { oldMode: "000000", newMode: "100644" };
    const modified = { oldMode: "100644", newMode: "100644" };
    expect(diff.files).toEqual([
      { path: ".gitignore", status: "added", insertions: 1, deletions: 0, binary: false, ...added },
      { path: "a.txt", status: "modified", insertions: 1, deletions: 0, binary: false, ...modified },
      { path: "c.txt", status: "deleted", insertions: 0, deletions: 1, binary: false, oldMode: "100644", newMode: "000000" },
      { path: "image.bin", status: "added", insertions: 0, deletions: 0, binary: true, ...added },
      { path: "src/lib.js", status: "modified", insertions: 1, deletions: 1, binary: false, ...modified },
      { path: "test/new.test.js", status: "added", insertions: 3, deletions: 0, binary: false, ...added },
    ]);
    expect(diff.insertions).toBe(6);
    expect(diff.deletions).toBe(2);
    expect(diff.patch).toContain("+++ b/test/new.test.js\n@@ -0,0 +1,3 @@\n+line 1\n");
    expect(diff.patch).toContain("-export const x = 1;\n+export const x = 2;\n");
    expect(diff.patch).toContain("Binary files /dev/null and b/image.bin differ");
    expect(diff.patch).not.toContain("ignored");

    // The workspace's own index still sees the new files as untracked.
    const status = await runGit(["status", "--porcelain"], { cwd: dir });
    expect(status.stdout).toContain("?? test/");
    expect(status.stdout).toContain(" D c.txt");
  });

  it("diffs against the base, not HEAD, after a commit", async () => {
    const { dir, baseSha } = await clonedFirstCommit();
    await writeFile(path.join(dir, "a.txt"), "changed\n");
    const workspace = await workspaceAt(dir);
    await commitAll({ workspace, message: "change", author: { name: "a", email: "a@example.com" } });
    const diff = await diffWorkspace({ workspace, baseSha });
    expect(diff.files.map((f) => `${f.status} ${f.path}`)).toEqual(["modified a.txt"]);
  });

  it("rejects a base that is not a sha", async () => {
    const { dir } = await clonedFirstCommit();
    await expect(diffWorkspace({ workspace: await workspaceAt(dir), baseSha: "--output=/tmp/x" })).rejects.toThrow(/expected an object sha/);
  });
});
