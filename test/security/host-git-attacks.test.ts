import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { lstat, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { checkDiffPolicy } from "../../src/security/check-diff-policy.ts";
import { commitTree } from "../../src/workspace/commit-all.ts";
import { diffWorkspace } from "../../src/workspace/diff-workspace.ts";
import { copyInstalledFiles } from "../../src/workspace/fork-workspace.ts";
import { listUntracked } from "../../src/workspace/list-untracked.ts";
import { importPack } from "../../src/workspace/snapshot-workspace.ts";
import { openWorkspace } from "../../src/workspace/open-workspace.ts";
import { pushBranch } from "../../src/workspace/push-branch.ts";
import { runGit } from "../../src/workspace/run-git.ts";
import type { Workspace } from "../../src/workspace/types.ts";
import { showFile } from "../support/fixture-repo.ts";
import { startRemote, tempDir, TOKEN } from "../workspace/helpers.ts";

/**
 * Invariants 1 and 2 of the sandbox boundary (docs/0011): host-side git never
 * executes or follows anything the sandbox wrote, and the diff policy sees
 * exactly what is pushed. Each attack is planted by a command in the real
 * sandbox, as repository code or an obeying model would, then every host-side
 * git operation of a job runs over it: listing setup's files, diffing,
 * committing, pushing, forking the checkout. A host marker file shows code
 * run on the host (the sandbox's /tmp is private, so only the host can create
 * it); a host secret file shows anything followed out of the workspace.
 */

const AUTHOR = { name: "patchwright[bot]", email: "1+patchwright[bot]@users.noreply.github.com" };
const opened: Workspace[] = [];
afterEach(async () => {
  for (const w of opened.splice(0)) await w.dispose();
});

async function checkout(): Promise<{ workspace: Workspace; base: string; remote: Awaited<ReturnType<typeof startRemote>> }> {
  const remote = await startRemote();
  const workspace = await openWorkspace({ cloneUrl: remote.cloneUrl, sha: remote.firstSha, token: TOKEN, parentDir: await tempDir("pw-hostgit-") });
  opened.push(workspace);
  return { workspace, base: remote.firstSha, remote };
}

/** Runs the attacker's commands in the sandbox; the attack must really be in place. */
async function plant(workspace: Workspace, what: string, script: string): Promise<string> {
  console.info(`attack: ${what}`);
  const result = await workspace.sandbox.run(`set -e\n${script}`);
  expect(result.exitCode, result.output).toBe(0);
  return result.output;
}

/** Every host-side git operation a job makes on a workspace. */
async function everyHostGitOperation(workspace: Workspace, base: string, cloneUrl: string, branch: string) {
  const untracked = await listUntracked(workspace);
  const diff = await diffWorkspace({ workspace, baseSha: base, exclude: [] });
  const sha = await commitTree({ workspace, tree: diff.tree, message: "fix", author: AUTHOR });
  await pushBranch({ dir: workspace.dir, cloneUrl, branch, token: TOKEN });
  const fork = path.join(await tempDir("pw-hostgit-fork-"), "checkout");
  await runGit(["clone", "-q", workspace.dir, fork]);
  await copyInstalledFiles(workspace, fork);
  return { untracked, diff, sha, fork };
}

/** Regular files under `dir` (links not followed) whose content includes `text`. */
async function regularFilesContaining(dir: string, text: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const file = path.join(entry.parentPath, entry.name);
    if (entry.isFile() && (await readFile(file, "utf8")).includes(text)) found.push(file);
  }
  return found;
}

describe("host-side git against a hostile workspace", () => {
  it("runs no filter, fsmonitor or hook of a nested repository's config, and pushes the nested repository only as a refused submodule", async () => {
    const { workspace, base, remote } = await checkout();
    const marker = path.join(tmpdir(), `pw-pwned-${randomBytes(6).toString("hex")}`);
    await plant(
      workspace,
      "a nested repository whose config runs a program for filters, fsmonitor and hooks",
      [
        "mkdir sub && cd sub && git init -q && git config user.email a@b && git config user.name a",
        `git config filter.evil.clean 'touch ${marker}; cat' && git config filter.evil.smudge 'touch ${marker}; cat'`,
        `git config core.fsmonitor 'touch ${marker}' && git config diff.evil.textconv 'touch ${marker}; cat'`,
        `mkdir -p .git/hooks && printf '#!/bin/sh\\ntouch ${marker}\\n' > .git/hooks/post-checkout && chmod +x .git/hooks/post-checkout`,
        "printf '* filter=evil diff=evil\\n' > .gitattributes && echo secret-plan > plan.txt && git add -A && git commit -qm nested",
        "cd .. && printf 'sub/* filter=evil diff=evil\\n' > .gitattributes && echo 'export const x = 2;' > src/lib.js",
      ].join("\n"),
    );
    // Control: the planted config is live. Host git run the old way, in the directory the sandbox wrote, runs it.
    await writeFile(path.join(workspace.dir, "sub", "plan.txt"), "changed\n");
    await runGit(["-c", "safe.directory=*", "add", "-A"], { cwd: path.join(workspace.dir, "sub") });
    expect(existsSync(marker), "the control attack did not fire: the test would prove nothing").toBe(true);
    await rm(marker);

    const { diff } = await everyHostGitOperation(workspace, base, remote.cloneUrl, "patchwright/fix-nested");
    expect(existsSync(marker)).toBe(false);
    const sub = diff.files.find((f) => f.path === "sub");
    expect(sub).toMatchObject({ oldMode: "000000", newMode: "160000" });
    expect(checkDiffPolicy(diff, { protectedPaths: [], maxChangedLines: 100 })).toContain("`sub` is a submodule; a fix may not add, move or remove one");
  });

  it("never follows a gitdir file, a symbolic link or .gitmodules out of the workspace, and sees links and submodule moves in the raw view", async () => {
    const { workspace, base, remote } = await checkout();
    const secretFile = path.join(await tempDir("pw-host-secret-"), "key.pem");
    const secret = `host-secret-${randomBytes(8).toString("hex")}`;
    await writeFile(secretFile, secret);
    // A repository of the host's (say, another job's mirror): host git following a gitdir file would record its head.
    const hostRepo = path.join(await tempDir("pw-host-repo-"), "repo");
    await runGit(["init", "-q", hostRepo]);
    await runGit(["-c", "user.name=h", "-c", "user.email=h@h", "commit", "-q", "--allow-empty", "-m", "host only"], { cwd: hostRepo });
    const hostHead = (await runGit(["rev-parse", "HEAD"], { cwd: hostRepo })).stdout.trim();
    await plant(
      workspace,
      "gitdir files, links to host paths, .gitmodules hiding a submodule (ignore=all), an executable bit",
      [
        `mkdir -p linked other && echo 'gitdir: ${path.dirname(secretFile)}' > linked/.git && echo 'gitdir: ${hostRepo}/.git' > other/.git && echo x > other/f`,
        `ln -s ${secretFile} leak.pem && ln -s ${path.dirname(secretFile)} leakdir`,
        "mkdir vendor && cd vendor && git init -q && git -c user.email=a@b -c user.name=a commit -q --allow-empty -m v && cd ..",
        "printf '[submodule \"vendor\"]\\n\\tpath = vendor\\n\\turl = https://example.invalid/v.git\\n\\tignore = all\\n' > .gitmodules",
        "echo '#!/bin/sh' > a.txt && chmod +x a.txt",
      ].join("\n"),
    );
    const { diff, untracked, sha, fork } = await everyHostGitOperation(workspace, base, remote.cloneUrl, "patchwright/fix-links");

    const modes = Object.fromEntries(diff.files.map((f) => [f.path, `${f.oldMode}>${f.newMode}`]));
    expect(modes).toMatchObject({ "leak.pem": "000000>120000", leakdir: "000000>120000", vendor: "000000>160000", "a.txt": "100644>100755" });
    const violations = checkDiffPolicy(diff, { protectedPaths: [], maxChangedLines: 100 });
    for (const expected of ["`leak.pem` is a symbolic link", "`leakdir` is a symbolic link", "`vendor` is a submodule", "`a.txt` is made executable"]) {
      expect(violations.some((v) => v.startsWith(expected)), `${expected} in ${violations.join("; ")}`).toBe(true);
    }
    // Nothing of the host's secret reached a diff, a listing, a commit, the remote or the fork.
    expect(diff.patch).not.toContain(secret);
    expect(JSON.stringify(untracked)).not.toContain(secret);
    expect((await runGit(["log", "-p", "--all"], { cwd: remote.bareDir })).stdout).not.toContain(secret);
    expect(await showFile(remote.bareDir, "patchwright/fix-links", "leak.pem")).toBe(secretFile);
    expect((await runGit(["ls-tree", "-r", "patchwright/fix-links"], { cwd: remote.bareDir })).stdout).not.toContain(hostHead);
    expect(JSON.stringify(diff)).not.toContain(hostHead);
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    // The fork holds the links as links (pointing nowhere inside a sandbox), never a copy of what they point at.
    expect((await lstat(path.join(fork, "leakdir"))).isSymbolicLink()).toBe(true);
    expect(await regularFilesContaining(fork, secret)).toEqual([]);
  });

  it("commits exactly the tree the policy checked, whatever the workspace holds by the time of the commit", async () => {
    const { workspace, base, remote } = await checkout();
    await plant(workspace, "an allowed change, checked", "echo 'export const x = 2;' > src/lib.js");
    const checked = await diffWorkspace({ workspace, baseSha: base });
    expect(checkDiffPolicy(checked, { protectedPaths: [], maxChangedLines: 100 })).toEqual([]);
    await plant(workspace, "a workflow and a link written after the check", "mkdir -p .github/workflows && echo 'on: push' > .github/workflows/x.yml && ln -s /etc/passwd p");

    await commitTree({ workspace, tree: checked.tree, message: "fix", author: AUTHOR });
    await pushBranch({ dir: workspace.dir, cloneUrl: remote.cloneUrl, branch: "patchwright/fix-late", token: TOKEN });
    const pushed = await runGit(["diff", "--name-only", base, "patchwright/fix-late"], { cwd: remote.bareDir });
    expect(pushed.stdout).toBe("src/lib.js\n");
  });

  it("takes the sandbox's objects only from a regular file, and only objects git's checks accept", async () => {
    const { workspace } = await checkout();
    const secretFile = path.join(await tempDir("pw-host-secret-"), "objects.pack");
    await writeFile(secretFile, "not for the sandbox");
    await plant(
      workspace,
      "a pack forged with git's plumbing (a tree with a .git entry holding a config), a link to a host file, a FIFO",
      [
        'd=$(mktemp -d); export GIT_OBJECT_DIRECTORY="$d" GIT_ALTERNATE_OBJECT_DIRECTORIES=.git/objects',
        `blob=$(printf '[core]\\n\\tfsmonitor = touch /tmp/x\\n' | git hash-object -w --stdin)`,
        'inner=$(printf "100644 blob %s\\tconfig\\n" "$blob" | git mktree)',
        'outer=$(printf "040000 tree %s\\t.git\\n" "$inner" | git mktree)',
        'printf "%s\\n" "$outer" | git pack-objects --revs --stdout > forged.pack',
        `ln -s ${secretFile} linked.pack && mkfifo fifo.pack`,
      ].join("\n"),
    );
    const refused = (name: string) => importPack(workspace.dir, path.join(workspace.dir, name)).then(() => "imported", (error: Error) => error.message);
    expect(await refused("forged.pack")).toMatch(/git refused the objects.*hasDotgit/s);
    expect(await refused("linked.pack")).toMatch(/no readable pack \(ELOOP\)/);
    expect(await refused("fifo.pack")).toMatch(/not a regular file/);
  });
});
