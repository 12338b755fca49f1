import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cloneFromMirror } from "../../src/workspace/mirror-clone.ts";
import { runGit } from "../../src/workspace/run-git.ts";
import { addFixtureCommit, createFixtureRepo, git } from "../support/fixture-repo.ts";
import { tempDir } from "./helpers.ts";

/** A bare mirror holding main (three commits) and another branch, like the cache after two jobs. */
async function mirrorWithTwoBranches(): Promise<{ mirrorDir: string; first: string; tip: string; other: string }> {
  const root = await tempDir("pw-mirror-src-");
  const { bareDir, sha: first } = await createFixtureRepo({ root, owner: "o", name: "r", files: { "a.txt": "one\n" } });
  await addFixtureCommit({ bareDir, files: { "a.txt": "two\n" } });
  const tip = await addFixtureCommit({ bareDir, files: { "a.txt": "three\n" } });
  await git(["branch", "other", first], bareDir);
  const other = await addFixtureCommit({ bareDir, branch: "other", files: { "other.txt": "not for this job\n" } });
  const mirrorDir = path.join(await tempDir("pw-mirror-"), "mirror.git");
  await git(["init", "--quiet", "--bare", mirrorDir]);
  await git(["fetch", "--quiet", bareDir, "+refs/heads/*:refs/patchwright/keep/*"], mirrorDir);
  return { mirrorDir, first, tip, other };
}

async function objectsOf(dir: string): Promise<string[]> {
  const result = await runGit(["cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)"], { cwd: dir });
  return result.stdout.split("\n").filter(Boolean);
}

describe("cloneFromMirror", () => {
  it("copies the job's commit and its tree only (depth 1 by default), laid out like a fresh clone", async () => {
    const { mirrorDir, tip, other } = await mirrorWithTwoBranches();
    const dir = path.join(await tempDir(), "job");
    const options = { mirrorDir, dir, cloneUrl: "https://x-access-token:t@github.com/o/r.git", sha: tip };
    await cloneFromMirror(options);
    expect(await readFile(path.join(dir, "a.txt"), "utf8")).toBe("three\n");
    const objects = await objectsOf(dir);
    expect(objects.filter((o) => o.endsWith(" commit"))).toEqual([`${tip} commit`]);
    expect(objects.map((o) => o.split(" ")[0])).not.toContain(other);
    expect((await runGit(["remote", "get-url", "origin"], { cwd: dir })).stdout.trim()).toBe("https://github.com/o/r.git");
    expect((await runGit(["for-each-ref"], { cwd: dir })).stdout).toBe("");
    // Nothing names the mirror: no FETCH_HEAD, no alternates, no remote.
    const gitFiles = await readdir(path.join(dir, ".git"), { recursive: true });
    for (const file of gitFiles) {
      const content = await readFile(path.join(dir, ".git", String(file))).catch(() => Buffer.alloc(0));
      expect(content.includes(mirrorDir), String(file)).toBe(false);
    }
  });

  it.skipIf(!existsSync("/dev/shm"))("across file systems (a checkout on tmpfs), streams the pack into the checkout's index-pack", async () => {
    const { mirrorDir, tip, other } = await mirrorWithTwoBranches();
    const dir = path.join(await mkdtemp(path.join("/dev/shm", "pw-test-")), "job");
    try {
      expect((await stat(path.dirname(dir))).dev).not.toBe((await stat(mirrorDir)).dev);
      await cloneFromMirror({ mirrorDir, dir, cloneUrl: "https://github.com/o/r.git", sha: tip });
      expect(await readFile(path.join(dir, "a.txt"), "utf8")).toBe("three\n");
      const objects = await objectsOf(dir);
      expect(objects.filter((o) => o.endsWith(" commit"))).toEqual([`${tip} commit`]);
      expect(objects.map((o) => o.split(" ")[0])).not.toContain(other);
      expect((await runGit(["status", "--porcelain"], { cwd: dir })).stdout).toBe("");
      // Nothing left behind in the mirror by a copy that could not rename across devices.
      expect((await readdir(path.join(mirrorDir, "objects", "pack"))).filter((name) => name.startsWith("tmp_"))).toEqual([]);
    } finally {
      await rm(path.dirname(dir), { recursive: true, force: true });
    }
  });

  it("with depth 0, the commit's whole history and still nothing of other branches", async () => {
    const { mirrorDir, first, tip, other } = await mirrorWithTwoBranches();
    const dir = path.join(await tempDir(), "job");
    const options = { mirrorDir, dir, cloneUrl: "https://github.com/o/r.git", sha: tip, depth: 0 };
    await cloneFromMirror(options);
    const commits = (await objectsOf(dir)).filter((o) => o.endsWith(" commit")).map((o) => o.split(" ")[0]);
    expect(commits).toHaveLength(3);
    expect(commits).toContain(first);
    expect(commits).not.toContain(other);
    expect((await runGit(["fsck", "--no-progress", "--unreachable", "--no-reflogs"], { cwd: dir })).stdout).toBe("");
  });

  it("fetches a commit the mirror has whose keep ref was trimmed", async () => {
    const { mirrorDir, tip } = await mirrorWithTwoBranches();
    await git(["update-ref", "-d", "refs/patchwright/keep/main"], mirrorDir);
    const dir = path.join(await tempDir(), "job");
    const options = { mirrorDir, dir, cloneUrl: "https://github.com/o/r.git", sha: tip };
    await cloneFromMirror(options);
    expect((await runGit(["rev-parse", "HEAD"], { cwd: dir })).stdout.trim()).toBe(tip);
  });
});
