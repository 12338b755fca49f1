import { execFileSync } from "node:child_process";
import { chmod, lstat, mkdir, readFile, readlink, stat, symlink, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { copyInstalledFiles } from "../../src/workspace/fork-workspace.ts";
import { runGit } from "../../src/workspace/run-git.ts";
import { tempDir, workspaceAt } from "./helpers.ts";

const AUTHOR = ["-c", "user.name=t", "-c", "user.email=t@example.com"];
const OLD = new Date("2001-02-03T04:05:06Z");

async function git(cwd: string, ...args: string[]): Promise<string> {
  const result = await runGit(args, { cwd });
  if (result.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

/** A checkout after "setup": tracked sources, then installed and generated files git does not track. */
async function baseCheckout(): Promise<string> {
  const base = await tempDir("pw-fork-base-");
  await git(base, "init", "-q", "-b", "main");
  await writeFile(path.join(base, ".gitignore"), "node_modules/\ndist/\n*.log\n");
  await mkdir(path.join(base, "src"));
  await writeFile(path.join(base, "src/a.js"), "export const a = 1;\n");
  await git(base, "add", "-A");
  await git(base, ...AUTHOR, "commit", "-q", "-m", "init");

  const pkg = path.join(base, "node_modules/pkg");
  await mkdir(pkg, { recursive: true });
  await mkdir(path.join(base, "node_modules/.bin"));
  await writeFile(path.join(pkg, "bin.js"), "#!/usr/bin/env node\n");
  await chmod(path.join(pkg, "bin.js"), 0o755);
  await utimes(path.join(pkg, "bin.js"), OLD, OLD);
  await writeFile(path.join(pkg, "frozen.txt"), "read only\n");
  await chmod(path.join(pkg, "frozen.txt"), 0o444);
  await symlink("../pkg/bin.js", path.join(base, "node_modules/.bin/tool"));
  await symlink("../missing/bin.js", path.join(base, "node_modules/.bin/dangling"));
  // A named pipe a test left behind: meaningless without its process.
  execFileSync("mkfifo", [path.join(pkg, "pipe")]);
  await mkdir(path.join(base, "dist"));
  await writeFile(path.join(base, "dist/out.js"), "built\n");
  await writeFile(path.join(base, "setup.log"), "log\n");
  await writeFile(path.join(base, "src/generated.js"), "generated\n");
  return base;
}

describe("copyInstalledFiles", () => {
  it("gives a fresh checkout the base's untracked and ignored files, as cp -a did", async () => {
    const base = await baseCheckout();
    const fork = path.join(await tempDir("pw-fork-"), "checkout");
    await git(path.dirname(fork), "clone", "-q", base, fork);

    await copyInstalledFiles(await workspaceAt(base), fork);

    const untracked = (dir: string) => git(dir, "ls-files", "--others", "--directory", "-z");
    expect(await untracked(fork)).toBe(await untracked(base));
    expect(await readFile(path.join(fork, "dist/out.js"), "utf8")).toBe("built\n");
    expect(await readFile(path.join(fork, "src/generated.js"), "utf8")).toBe("generated\n");
    expect(await readFile(path.join(fork, "setup.log"), "utf8")).toBe("log\n");

    const bin = await stat(path.join(fork, "node_modules/pkg/bin.js"));
    expect(bin.mode & 0o777).toBe(0o755);
    expect(bin.mtime.getTime()).toBe(OLD.getTime());
    expect((await stat(path.join(fork, "node_modules/pkg/frozen.txt"))).mode & 0o777).toBe(0o444);

    // Links stay links, relative as they were: never an absolute path into the base checkout.
    expect((await lstat(path.join(fork, "node_modules/.bin/tool"))).isSymbolicLink()).toBe(true);
    expect(await readlink(path.join(fork, "node_modules/.bin/tool"))).toBe("../pkg/bin.js");
    expect(await readFile(path.join(fork, "node_modules/.bin/tool"), "utf8")).toBe("#!/usr/bin/env node\n");
    expect(await readlink(path.join(fork, "node_modules/.bin/dangling"))).toBe("../missing/bin.js");

    await expect(lstat(path.join(fork, "node_modules/pkg/pipe"))).rejects.toMatchObject({ code: "ENOENT" });
    expect(await git(fork, "status", "--porcelain")).toBe(await git(base, "status", "--porcelain"));
  });

  it("never replaces a file the fresh checkout already has", async () => {
    const base = await baseCheckout();
    const fork = path.join(await tempDir("pw-fork-"), "checkout");
    await git(path.dirname(fork), "clone", "-q", base, fork);
    await mkdir(path.join(fork, "dist"));
    await writeFile(path.join(fork, "dist/out.js"), "the fork's own\n");

    await copyInstalledFiles(await workspaceAt(base), fork);

    expect(await readFile(path.join(fork, "dist/out.js"), "utf8")).toBe("the fork's own\n");
  });
});
