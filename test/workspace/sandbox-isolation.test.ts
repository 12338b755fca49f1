import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createSandbox } from "../../src/workspace/create-sandbox.ts";
import { runGit } from "../../src/workspace/run-git.ts";
import { createFixtureRepo } from "../support/fixture-repo.ts";
import { tempDir } from "./helpers.ts";

/** Files under `dir` with more than one link (shared with another directory tree). */
async function hardLinkedFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if ((await stat(file)).nlink > 1) files.push(file);
  }
  return files;
}

describe("createSandbox (bubblewrap isolation)", () => {
  it("uses bubblewrap and runs in /workspace", async () => {
    const sandbox = await createSandbox({ root: await tempDir() });
    expect(sandbox.isolation).toBe("bubblewrap");
    const result = await sandbox.run("pwd; echo $HOME; echo $CI $TERM");
    expect(result).toMatchObject({ exitCode: 0, timedOut: false, truncated: false });
    expect(result.output).toBe("/workspace\n/tmp/home\ntrue dumb\n");
  });

  it("keeps everything but the workspace, /tmp and HOME read-only", async () => {
    const root = await tempDir();
    const marker = `pw-tmp-${process.pid}-${Date.now()}`;
    const sandbox = await createSandbox({ root });
    const result = await sandbox.run(
      `for p in /usr/pw /etc/pw /pw /var/pw /bin/pw /workspace/../pw; do ` +
        `if touch "$p" 2>/dev/null; then echo "wrote $p"; else echo "denied $p"; fi; done; ` +
        `echo inside > inside.txt && echo t > /tmp/${marker} && echo h > "$HOME/h" && echo writable`,
    );
    expect(result.output).not.toContain("wrote");
    expect(result.output.match(/denied/g)).toHaveLength(6);
    expect(result.output).toContain("writable");
    expect(await readFile(path.join(root, "inside.txt"), "utf8")).toBe("inside\n");
    // /tmp inside is private: nothing reached the host's /tmp.
    expect(existsSync(`/tmp/${marker}`)).toBe(false);
  });

  it("makes .git (config, hooks) read-only while git can still read it", async () => {
    const root = await tempDir();
    await runGit(["init", "--quiet", root]);
    await mkdir(path.join(root, ".git", "hooks"), { recursive: true });
    const before = await readFile(path.join(root, ".git", "config"), "utf8");
    const sandbox = await createSandbox({ root });
    const result = await sandbox.run(
      "echo '[core] fsmonitor = touch /tmp/pwned' >> .git/config; echo config=$?; " +
        "echo '#!/bin/sh' > .git/hooks/pre-commit; echo hook=$?; " +
        "echo ../evil > .git/commondir; echo commondir=$?; mv .git .git-moved; echo move=$?; " +
        "git status --porcelain >/dev/null; echo status=$?",
    );
    expect(result.output).toMatch(/config=1\n/);
    expect(result.output).toMatch(/hook=1\n/);
    expect(result.output).toMatch(/commondir=1\n/);
    expect(result.output).not.toMatch(/move=0\n/);
    expect(result.output).toMatch(/status=0\n/);
    expect(await readFile(path.join(root, ".git", "config"), "utf8")).toBe(before);
    expect(existsSync(path.join(root, ".git", "hooks", "pre-commit"))).toBe(false);
  });

  it("does not let a symlink in the workspace write to the host", async () => {
    const root = await tempDir();
    const outside = await tempDir("pw-outside-");
    await writeFile(path.join(outside, "victim.txt"), "original\n");
    await symlink(outside, path.join(root, "escape-dir"));
    await symlink(path.join(outside, "victim.txt"), path.join(root, "escape-file"));
    const sandbox = await createSandbox({ root });
    await sandbox.run("echo pwned > escape-dir/new.txt; echo pwned > escape-file; ln -s / root-link; echo pwned > root-link/pw");
    expect(existsSync(path.join(outside, "new.txt"))).toBe(false);
    expect(await readFile(path.join(outside, "victim.txt"), "utf8")).toBe("original\n");
    expect(existsSync("/pw")).toBe(false);
  });

  it("allows no hardlink escape: none can be made out of the workspace, and the mirror's hard-linked objects stay read-only", async () => {
    // The real threat: a job clone of the repository mirror, on the same file
    // system, hard-links the mirror's object files into the job's .git (git's
    // local clone; the mirror cache does this). Writing through such a link
    // would poison every later job of the repository. The sandbox cannot
    // make such links itself (each bind is its own mount: EXDEV), and no host
    // code links into the writable tree, so .git being read-only closes it.
    const remoteRoot = await tempDir("pw-mirror-");
    const { bareDir } = await createFixtureRepo({ root: remoteRoot, owner: "o", name: "r", files: { "a.txt": "one\n" } });
    const root = await tempDir();
    expect((await runGit(["clone", "--quiet", bareDir, root])).exitCode).toBe(0);
    const shared = await hardLinkedFiles(path.join(root, ".git", "objects"));
    expect(shared.length).toBeGreaterThan(0); // the precondition: links into the mirror exist
    const before = await Promise.all(shared.map((file) => readFile(file)));
    const relative = shared.map((file) => path.relative(root, file));

    const sandbox = await createSandbox({ root });
    const result = await sandbox.run(
      // Through the pre-existing links: change mode, append, truncate, replace, remove.
      `for f in ${relative.join(" ")}; do chmod u+w "$f"; echo pwned >> "$f"; truncate -s 0 "$f"; rm -f "$f"; done 2>/dev/null; ` +
        // New links to anything outside the workspace's own mount: the system, .git, /tmp.
        "echo x > /tmp/t; for target in /etc/hostname /usr/bin/env .git/config /tmp/t; do " +
        'if ln "$target" "link-$(basename "$target")" 2>/dev/null; then echo "linked $target"; else echo "refused $target"; fi; done; ' +
        // A link inside the workspace is fine: ln itself works.
        "echo in > in.txt && ln in.txt in-link.txt && echo inner-ok",
    );
    expect(result.output).not.toContain("linked");
    expect(result.output.match(/refused/g)).toHaveLength(4);
    expect(result.output).toContain("inner-ok");
    // The mirror's objects are untouched, and git still trusts the mirror.
    expect(await Promise.all(shared.map((file) => readFile(file)))).toEqual(before);
    for (const file of shared) expect((await stat(file)).mode & 0o222).toBe(0);
    expect((await runGit(["fsck", "--full"], { cwd: bareDir })).exitCode).toBe(0);
  });

  it("ignores a .git symlink planted by an earlier command (no host mount, still usable)", async () => {
    // `.git -> /tmp` exists on both sides: binding root/.git would follow it to
    // the host's /tmp (bwrap 0.8 refuses the symlink destination, which would
    // instead break every later command). It must stay a plain symlink.
    const root = await tempDir();
    const outside = await tempDir("pw-outside-");
    await writeFile(path.join(outside, "secret.txt"), "host secret\n");
    const sandbox = await createSandbox({ root });
    await sandbox.run("ln -s /tmp .git");
    const result = await sandbox.run(`echo still-usable; cat .git/${path.basename(outside)}/secret.txt`);
    expect(result.output).toContain("still-usable");
    expect(result.exitCode).not.toBe(0);
    expect(result.output).not.toContain("host secret");
  });

  it("lets no host secret in: env, /proc/1/environ and every process environ", async () => {
    const secrets = {
      GITHUB_TOKEN: "ghs_HostSecretToken0123456789abcdefghij",
      OPENAI_API_KEY: "sk-HostSecretOpenAiKey0123456789",
      PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----HostSecretKey-----END RSA PRIVATE KEY-----",
    };
    const saved = Object.fromEntries(Object.keys(secrets).map((k) => [k, process.env[k]]));
    Object.assign(process.env, secrets);
    try {
      const sandbox = await createSandbox({ root: await tempDir() });
      const result = await sandbox.run("env; tr '\\0' '\\n' < /proc/1/environ; cat /proc/[0-9]*/environ | tr '\\0' '\\n'", {
        env: { EXTRA: "passed" },
      });
      expect(result.exitCode).toBe(0);
      expect(result.output).toContain("EXTRA=passed");
      expect(result.output).toContain("CI=true");
      for (const [name, value] of Object.entries(secrets)) {
        expect(result.output).not.toContain(name);
        expect(result.output).not.toContain(value);
      }
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
