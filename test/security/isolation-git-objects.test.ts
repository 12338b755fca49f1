/**
 * Issue 10, invariant 4: jobs cannot reach each other. A commit the mirror
 * fetched for job A (an embargoed security fix on its own branch) must not be
 * readable from job B's checkout of the same repository, whatever B's
 * sandboxed code tries. Real git, real bubblewrap, a real mirror.
 */
import { describe, expect, it } from "vitest";
import { openWorkspace } from "../../src/workspace/open-workspace.ts";
import { runGit } from "../../src/workspace/run-git.ts";
import { addFixtureCommit, git as fixtureGit } from "../support/fixture-repo.ts";
import { filesContaining, startRemote, tempDir, TOKEN } from "../workspace/helpers.ts";

const SECRET = "EMBARGOED-FIX-c0ffee-do-not-disclose";
const INSTALLATION = 77;

/** Everything B's code tries, in B's sandbox; each step prints what it found. */
function attackScript(embargoedSha: string, mirrorDir: string): string {
  return [
    `echo "== cat-file -p"; git cat-file -p ${embargoedSha} 2>&1; echo "exit=$?"`,
    `echo "== show"; git show ${embargoedSha}:fix.txt 2>&1 | head -3`,
    'echo "== log --all"; git log --all --format="%H %s" 2>&1',
    'echo "== refs"; git for-each-ref 2>&1; cat .git/packed-refs 2>/dev/null',
    // Every object in the store, reachable or not, loose or packed: their contents.
    'echo "== all objects"; git cat-file --batch-all-objects --batch 2>&1 | grep -a -c "EMBARGOED" ',
    'echo "== ids in packs"; for idx in .git/objects/pack/*.idx; do [ -f "$idx" ] && git show-index < "$idx"; done 2>&1 | cut -d" " -f2',
    'echo "== loose"; find .git/objects -type f 2>&1 | grep -v /pack/ | head -50',
    'echo "== unreachable"; git fsck --unreachable --no-reflogs --no-progress 2>&1 | head -20',
    'echo "== alternates"; cat .git/objects/info/alternates .git/objects/info/http-alternates 2>&1; cat .git/commondir 2>&1',
    'echo "== raw grep of .git"; grep -r -a -l "EMBARGOED" .git 2>&1',
    `echo "== the mirror"; ls ${mirrorDir} 2>&1; git --git-dir=${mirrorDir} cat-file -p ${embargoedSha} 2>&1`,
    'echo "== other object stores"; find / \\( -path /proc -o -path /sys -o -path /dev -o -path /usr \\) -prune -o \\( -name "*.pack" -o -name packed-refs \\) -print 2>/dev/null | grep -v "^/workspace/.git/"',
    'echo "== raw grep outside the checkout"; grep -r -a -l "EMBARGOED" /tmp /cache 2>/dev/null',
    'echo "== done"',
  ].join("\n");
}

describe("isolation: a job's checkout holds only its own commit's objects", () => {
  it("job B cannot read a commit fetched into the mirror for job A (an embargoed fix on another branch)", async () => {
    const remote = await startRemote();
    await fixtureGit(["branch", "embargoed", "main"], remote.bareDir);
    const embargoedSha = await addFixtureCommit({
      bareDir: remote.bareDir,
      branch: "embargoed",
      files: { "fix.txt": `${SECRET}: the overflow in parse() is fixed by bounding len\n` },
      message: `EMBARGOED security fix (${SECRET})`,
    });
    const cacheRoot = await tempDir("pw-isolation-cache-");
    const open = (sha: string) => openWorkspace({ cloneUrl: remote.cloneUrl, sha, token: TOKEN, cacheRoot, installationId: INSTALLATION });

    // Job A works on the embargoed fix: the mirror now holds it.
    const a = await open(embargoedSha);
    expect((await a.sandbox.run("cat fix.txt")).output).toContain(SECRET);
    const mirrorDir = a.cache?.paths.mirrorDir ?? "";
    expect((await runGit(["cat-file", "-e", embargoedSha], { cwd: mirrorDir })).exitCode).toBe(0);
    await a.dispose();

    // Job B, later, on main (already in the mirror: nothing is downloaded for it).
    const b = await open(remote.tipSha);
    expect(b.cache?.fetched).toBe("none");
    const attack = await b.sandbox.run(attackScript(embargoedSha, mirrorDir));
    console.log(`What job B's sandboxed code tried, and saw:\n${attack.output}`);

    expect(attack.output).toContain("== done");
    expect(attack.output).not.toContain(SECRET);
    // The sha only appears where B named it: in git's refusals.
    expect(attack.output.split("\n").filter((line) => line.includes(embargoedSha) && !/^fatal: /.test(line))).toEqual([]);
    expect(attack.output).toMatch(/== cat-file -p\nfatal: .*\nexit=128\n/);
    expect(attack.output).toMatch(/== all objects\n0\n/);
    // The object store is exactly what B's commit reaches (the host's view agrees).
    const stored = (await runGit(["cat-file", "--batch-all-objects", "--batch-check=%(objectname)"], { cwd: b.dir })).stdout.split("\n").filter(Boolean);
    const reachable = (await runGit(["rev-list", "--objects", "HEAD"], { cwd: b.dir })).stdout.split("\n").filter(Boolean).map((line) => line.slice(0, 40));
    expect(stored.sort()).toEqual([...new Set(reachable)].sort());
    expect(stored).not.toContain(embargoedSha);
    expect(await filesContaining(b.dir, "EMBARGOED")).toEqual([]);
    await b.dispose();
  });

  it("job A's own checkout of main, opened while the embargoed commit is in the mirror, has none of it either", async () => {
    const remote = await startRemote();
    await fixtureGit(["branch", "embargoed", "main"], remote.bareDir);
    const embargoedSha = await addFixtureCommit({ bareDir: remote.bareDir, branch: "embargoed", files: { "fix.txt": `${SECRET}\n` } });
    const cacheRoot = await tempDir("pw-isolation-cache-");
    const options = { cloneUrl: remote.cloneUrl, token: TOKEN, cacheRoot, installationId: INSTALLATION };
    // Concurrent jobs: the embargoed one and an older commit of main.
    const [embargoed, older] = await Promise.all([openWorkspace({ ...options, sha: embargoedSha }), openWorkspace({ ...options, sha: remote.firstSha })]);
    const seen = await older.sandbox.run(`git cat-file -t ${embargoedSha} 2>&1; git cat-file -t ${remote.tipSha} 2>&1; git log --all --oneline | wc -l`);
    console.log(`Job on ${remote.firstSha.slice(0, 7)} looking for the embargoed commit and main's tip:\n${seen.output}`);
    // Not the embargoed fix, and not even main's later tip: only its own commit.
    expect(seen.output).toMatch(/^fatal: .*\nfatal: .*\n1\n$/);
    await Promise.all([embargoed.dispose(), older.dispose()]);
  });
});
