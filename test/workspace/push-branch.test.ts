import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cloneAtSha } from "../../src/workspace/clone-at-sha.ts";
import { commitAll } from "../../src/workspace/commit-all.ts";
import { pushBranch } from "../../src/workspace/push-branch.ts";
import { runGit } from "../../src/workspace/run-git.ts";
import { readBranchSha, showFile } from "../support/fixture-repo.ts";
import { type Remote, startRemote, tempDir, TOKEN, workspaceAt } from "./helpers.ts";

const AUTHOR = { name: "patchwright[bot]", email: "1+patchwright[bot]@users.noreply.github.com" };

/** A shallow clone of the remote's first (non-tip) commit with one committed change. */
async function cloneAndCommit(remote: Remote, content: string): Promise<{ dir: string; sha: string }> {
  const dir = path.join(await tempDir(), "clone");
  await cloneAtSha({ cloneUrl: remote.cloneUrl, sha: remote.firstSha, token: TOKEN, dir });
  await writeFile(path.join(dir, "a.txt"), content);
  return { dir, sha: await commitAll({ workspace: await workspaceAt(dir), message: "Fix a.txt", author: AUTHOR }) };
}

describe("pushBranch", () => {
  it("pushes HEAD of a shallow clone to a patchwright/ branch", async () => {
    const remote = await startRemote();
    const { dir, sha } = await cloneAndCommit(remote, "fixed\n");
    await pushBranch({ dir, cloneUrl: remote.cloneUrl, branch: "patchwright/fix-ci-1234567", token: TOKEN });

    expect(await readBranchSha(remote.bareDir, "patchwright/fix-ci-1234567")).toBe(sha);
    expect(await showFile(remote.bareDir, "patchwright/fix-ci-1234567", "a.txt")).toBe("fixed\n");
    expect(await showFile(remote.bareDir, `patchwright/fix-ci-1234567~1`, "a.txt")).toBe("one\n");
    expect(await readBranchSha(remote.bareDir, "main")).toBe(remote.tipSha);
    const pushes = remote.server.requests.filter((r) => r.path.endsWith("git-receive-pack"));
    expect(pushes.length).toBe(1);
    expect(pushes.every((r) => r.auth === "valid")).toBe(true);
  });

  it.each(["main", "feature/x", "patchwright/", "patchwright/../main", "patchwright/a..b", "patchwright/x.lock"])(
    "refuses to push to %s, without contacting the server",
    async (branch) => {
      const remote = await startRemote();
      const { dir } = await cloneAndCommit(remote, "fixed\n");
      const before = remote.server.requests.length;
      await expect(pushBranch({ dir, cloneUrl: remote.cloneUrl, branch, token: TOKEN, force: true })).rejects.toMatchObject({
        code: "push_failed",
        retryable: false,
      });
      expect(remote.server.requests.length).toBe(before);
      expect(await readBranchSha(remote.bareDir, "main")).toBe(remote.tipSha);
    },
  );

  it("rejects a non-fast-forward update unless forced", async () => {
    const remote = await startRemote();
    const branch = "patchwright/retry";
    const first = await cloneAndCommit(remote, "first attempt\n");
    await pushBranch({ dir: first.dir, cloneUrl: remote.cloneUrl, branch, token: TOKEN });
    const second = await cloneAndCommit(remote, "second attempt\n");

    await expect(pushBranch({ dir: second.dir, cloneUrl: remote.cloneUrl, branch, token: TOKEN })).rejects.toMatchObject({
      code: "push_rejected",
      retryable: false,
    });
    expect(await readBranchSha(remote.bareDir, branch)).toBe(first.sha);

    await pushBranch({ dir: second.dir, cloneUrl: remote.cloneUrl, branch, token: TOKEN, force: true });
    expect(await readBranchSha(remote.bareDir, branch)).toBe(second.sha);
  });

  it("fails retryably with the token redacted when the token is rejected", async () => {
    const remote = await startRemote();
    const { dir } = await cloneAndCommit(remote, "fixed\n");
    const wrong = "ghs_WrongPushToken0123456789abcdefghijk";
    const error = await pushBranch({ dir, cloneUrl: remote.cloneUrl, branch: "patchwright/x", token: wrong }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "push_failed", retryable: true });
    expect((error as Error).message).not.toContain(wrong);
    expect(await readBranchSha(remote.bareDir, "patchwright/x")).toBeNull();
  });
});

describe("commitAll", () => {
  it("commits tracked, new and deleted files as the given author", async () => {
    const remote = await startRemote();
    const dir = path.join(await tempDir(), "clone");
    await cloneAtSha({ cloneUrl: remote.cloneUrl, sha: remote.firstSha, token: TOKEN, dir });
    await writeFile(path.join(dir, "new.txt"), "new\n");
    await runGit(["rm", "--quiet", "c.txt"], { cwd: dir });
    const sha = await commitAll({ workspace: await workspaceAt(dir), message: "Fix: the thing\n\nBody with `code`.", author: AUTHOR });

    const log = await runGit(["log", "-1", "--format=%H%n%an <%ae>%n%cn%n%P%n%B"], { cwd: dir });
    expect(log.stdout).toBe(
      `${sha}\n${AUTHOR.name} <${AUTHOR.email}>\n${AUTHOR.name}\n${remote.firstSha}\nFix: the thing\n\nBody with \`code\`.\n\n`,
    );
    const files = await runGit(["show", "--name-status", "--format=", "HEAD"], { cwd: dir });
    expect(files.stdout).toBe("D\tc.txt\nA\tnew.txt\n");
  });

  it("throws a clear error when there is nothing to commit", async () => {
    const remote = await startRemote();
    const dir = path.join(await tempDir(), "clone");
    await cloneAtSha({ cloneUrl: remote.cloneUrl, sha: remote.firstSha, token: TOKEN, dir });
    await expect(commitAll({ workspace: await workspaceAt(dir), message: "noop", author: AUTHOR })).rejects.toThrow(/Nothing to commit/);
    expect((await runGit(["rev-parse", "HEAD"], { cwd: dir })).stdout.trim()).toBe(remote.firstSha);
  });
});
