import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PatchwrightError } from "../../src/errors.ts";
import { basicAuthHeader } from "../../src/workspace/git-auth-env.ts";
import { cloneAtSha } from "../../src/workspace/clone-at-sha.ts";
import { runGit } from "../../src/workspace/run-git.ts";
import { filesContaining, startRemote, tempDir, TOKEN } from "./helpers.ts";

describe("cloneAtSha", () => {
  it("clones a non-tip sha over HTTP with the token kept out of the repository", async () => {
    const remote = await startRemote();
    const dir = path.join(await tempDir(), "clone");
    const result = await cloneAtSha({ cloneUrl: remote.cloneUrl, sha: remote.firstSha, token: TOKEN, dir });

    expect(result).toEqual({ dir, sha: remote.firstSha, fetchedBy: "sha" });
    expect((await runGit(["rev-parse", "HEAD"], { cwd: dir })).stdout.trim()).toBe(remote.firstSha);
    expect(await readFile(path.join(dir, "a.txt"), "utf8")).toBe("one\n");
    expect(existsSync(path.join(dir, "b.txt"))).toBe(false); // only in the tip
    expect((await runGit(["remote", "get-url", "origin"], { cwd: dir })).stdout.trim()).toBe(remote.cloneUrl);

    const config = await readFile(path.join(dir, ".git", "config"), "utf8");
    expect(config.toLowerCase()).not.toContain("extraheader");
    for (const needle of [TOKEN, basicAuthHeader(TOKEN).slice("Basic ".length)]) {
      expect(await filesContaining(dir, needle)).toEqual([]);
    }
    expect(remote.server.requests.length).toBeGreaterThan(0);
    expect(remote.server.requests.every((r) => r.auth === "valid")).toBe(true);
  });

  it("never stores credentials that came inside the URL", async () => {
    const remote = await startRemote();
    const dir = path.join(await tempDir(), "clone");
    const withCredentials = remote.cloneUrl.replace("http://", `http://x-access-token:${TOKEN}@`);
    await cloneAtSha({ cloneUrl: withCredentials, sha: remote.tipSha, token: TOKEN, dir });
    expect((await runGit(["remote", "get-url", "origin"], { cwd: dir })).stdout.trim()).toBe(remote.cloneUrl);
    expect(await filesContaining(dir, TOKEN)).toEqual([]);
  });

  it("fails with clone_failed, the token redacted and the directory emptied, on a wrong token", async () => {
    const remote = await startRemote();
    const dir = path.join(await tempDir(), "clone");
    const wrong = "ghs_WrongTokenWrongToken0123456789abcd";
    const error = await cloneAtSha({
      cloneUrl: remote.cloneUrl.replace("http://", `http://x-access-token:${wrong}@`),
      sha: remote.firstSha,
      token: wrong,
      dir,
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PatchwrightError);
    const { code, message } = error as PatchwrightError;
    expect(code).toBe("clone_failed");
    expect(message).toContain(remote.cloneUrl);
    expect(message).toMatch(/terminal prompts disabled|Authentication failed/);
    expect(message).not.toContain(wrong);
    expect(message).not.toContain(basicAuthHeader(wrong));
    expect(await readdir(dir)).toEqual([]);
    expect(remote.server.requests.map((r) => r.auth)).toContain("invalid");
  });

  it("falls back to fetching all branches when the server will not serve a bare sha", async () => {
    const remote = await startRemote({ protocolV2: false });
    const dir = path.join(await tempDir(), "clone");
    const result = await cloneAtSha({ cloneUrl: remote.cloneUrl, sha: remote.firstSha, token: TOKEN, dir });
    expect(result.fetchedBy).toBe("all-refs");
    expect(await readFile(path.join(dir, "a.txt"), "utf8")).toBe("one\n");
    expect(await filesContaining(dir, TOKEN)).toEqual([]);
  });

  it("reports a commit the server does not have as not retryable", async () => {
    const remote = await startRemote();
    const dir = path.join(await tempDir(), "clone");
    const error = await cloneAtSha({ cloneUrl: remote.cloneUrl, sha: "f".repeat(40), token: TOKEN, dir }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "clone_failed", retryable: false });
  });

  it.each([
    ["a short sha", { sha: "abc123" }],
    ["an ssh URL", { cloneUrl: "ssh://git@example.com/o/r.git" }],
  ])("refuses %s before running git", async (_label, override) => {
    const dir = path.join(await tempDir(), "clone");
    const options = { cloneUrl: "https://example.com/o/r.git", sha: "a".repeat(40), token: TOKEN, dir, ...override };
    await expect(cloneAtSha(options)).rejects.toMatchObject({ code: "clone_failed", retryable: false });
    expect(existsSync(dir)).toBe(false);
  });

  it("refuses a non-empty target directory and leaves it alone", async () => {
    const remote = await startRemote();
    const dir = await tempDir();
    await writeFile(path.join(dir, "keep.txt"), "mine");
    await expect(cloneAtSha({ cloneUrl: remote.cloneUrl, sha: remote.firstSha, token: TOKEN, dir })).rejects.toMatchObject({
      code: "clone_failed",
    });
    expect(await readdir(dir)).toEqual(["keep.txt"]);
  });
});
