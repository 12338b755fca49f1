import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cloneAtSha } from "../../src/workspace/clone-at-sha.ts";
import { commitAll } from "../../src/workspace/commit-all.ts";
import { diffWorkspace } from "../../src/workspace/diff-workspace.ts";
import { runGit } from "../../src/workspace/run-git.ts";
import { startRemote, tempDir, TOKEN } from "./helpers.ts";

async function clonedFirstCommit(): Promise<{ dir: string; baseSha: string }> {
  const remote = await startRemote();
  const dir = path.join(await tempDir(), "clone");
  await cloneAtSha({ cloneUrl: remote.cloneUrl, sha: remote.firstSha, token: TOKEN, dir });
  return { dir, baseSha: remote.firstSha };
}

describe("diffWorkspace", () => {
  it("is empty for an untouched checkout", async () => {
    const { dir, baseSha } = await clonedFirstCommit();
    expect(await diffWorkspace({ dir, baseSha })).toEqual({ patch: "", files: [], insertions: 0, deletions: 0 });
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

    const diff = await diffWorkspace({ dir, baseSha });
    expect(diff.files).toEqual([
      { path: ".gitignore", status: "added", insertions: 1, deletions: 0, binary: false },
      { path: "a.txt", status: "modified", insertions: 1, deletions: 0, binary: false },
      { path: "c.txt", status: "deleted", insertions: 0, deletions: 1, binary: false },
      { path: "image.bin", status: "added", insertions: 0, deletions: 0, binary: true },
      { path: "src/lib.js", status: "modified", insertions: 1, deletions: 1, binary: false },
      { path: "test/new.test.js", status: "added", insertions: 3, deletions: 0, binary: false },
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
    await commitAll({ dir, message: "change", author: { name: "a", email: "a@example.com" } });
    const diff = await diffWorkspace({ dir, baseSha });
    expect(diff.files.map((f) => `${f.status} ${f.path}`)).toEqual(["modified a.txt"]);
  });

  it("rejects a base that is not a sha", async () => {
    const { dir } = await clonedFirstCommit();
    await expect(diffWorkspace({ dir, baseSha: "--output=/tmp/x" })).rejects.toThrow(/expected a commit sha/);
  });
});
