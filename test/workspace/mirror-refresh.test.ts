import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { KEEP_REF_PREFIX, KEEP_REFS, refreshMirror } from "../../src/workspace/mirror-refresh.ts";
import { runGit } from "../../src/workspace/run-git.ts";
import { startRemote, tempDir, TOKEN } from "./helpers.ts";

async function keepRefs(mirrorDir: string): Promise<string[]> {
  const list = await runGit(["for-each-ref", "--format=%(refname)", KEEP_REF_PREFIX], { cwd: mirrorDir });
  return list.stdout.split("\n").filter(Boolean);
}

describe("refreshMirror", () => {
  it("creates the mirror, fetches only missing commits, and keeps a bounded set of keep refs", async () => {
    const remote = await startRemote();
    const mirrorDir = path.join(await tempDir(), "mirror.git");
    const options = { mirrorDir, cloneUrl: remote.cloneUrl, token: TOKEN };

    expect(await refreshMirror({ ...options, sha: remote.firstSha })).toBe("sha");
    expect(await keepRefs(mirrorDir)).toEqual([`${KEEP_REF_PREFIX}${remote.firstSha}`]);
    const requests = remote.server.requests.length;
    expect(await refreshMirror({ ...options, sha: remote.firstSha })).toBe("none");
    expect(remote.server.requests.length).toBe(requests);
    const config = await readFile(path.join(mirrorDir, "config"), "utf8");
    expect(config).toMatch(/unpackLimit = 1/);
    expect(config).not.toMatch(/\[remote|extraheader/i);

    // Older keep refs beyond the bound are dropped when the next fetch lands.
    const input = Array.from({ length: KEEP_REFS + 10 }, (_, i) => `create ${KEEP_REF_PREFIX}old-${i} ${remote.firstSha}\n`).join("");
    expect((await runGit(["update-ref", "--stdin"], { cwd: mirrorDir, input })).exitCode).toBe(0);
    expect(await refreshMirror({ ...options, sha: remote.tipSha })).toBe("sha");
    const kept = await keepRefs(mirrorDir);
    expect(kept).toHaveLength(KEEP_REFS);
    expect(kept).toContain(`${KEEP_REF_PREFIX}${remote.tipSha}`);
  });

  it("repacks once fetches have left many packs", async () => {
    const remote = await startRemote();
    const mirrorDir = path.join(await tempDir(), "mirror.git");
    const options = { mirrorDir, cloneUrl: remote.cloneUrl, token: TOKEN };
    expect(await refreshMirror({ ...options, sha: remote.firstSha })).toBe("sha");
    // Stand-ins for 50 earlier fetches: one small pack each.
    for (let i = 0; i < 50; i += 1) {
      const blob = await runGit(["hash-object", "-w", "--stdin"], { cwd: mirrorDir, input: `blob ${i}\n` });
      const pack = await runGit(["pack-objects", "--quiet", "objects/pack/pack"], { cwd: mirrorDir, input: blob.stdout });
      expect(pack.exitCode).toBe(0);
    }
    const packs = async (): Promise<number> => (await readdir(path.join(mirrorDir, "objects", "pack"))).filter((f) => f.endsWith(".pack")).length;
    expect(await packs()).toBeGreaterThan(50);
    expect(await refreshMirror({ ...options, sha: remote.tipSha })).toBe("sha");
    expect(await packs()).toBe(1);
    expect((await runGit(["cat-file", "-e", `${remote.tipSha}^{commit}`], { cwd: mirrorDir })).exitCode).toBe(0);
  });

  it("replaces the debris of an interrupted creation", async () => {
    const remote = await startRemote();
    const mirrorDir = path.join(await tempDir(), "mirror.git");
    await mkdir(path.join(mirrorDir, "objects"), { recursive: true });
    await writeFile(path.join(mirrorDir, "config"), "[core]\n\tbare = true\n");
    expect(await refreshMirror({ mirrorDir, cloneUrl: remote.cloneUrl, token: TOKEN, sha: remote.tipSha })).toBe("sha");
    expect((await runGit(["cat-file", "-e", `${remote.firstSha}^{commit}`], { cwd: mirrorDir })).exitCode).toBe(0);
  });
});
