import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createSandbox } from "../../src/workspace/create-sandbox.ts";
import { tempDir } from "./helpers.ts";

/** What a job leaves behind: in its workspace, its /tmp and its HOME. */
const WRITE_EVERYWHERE =
  "echo job-a > a.txt; echo job-a > /tmp/a-tmp; echo job-a > \"$HOME/a-home\"; mkdir -p \"$HOME/.cache\" && echo job-a > \"$HOME/.cache/a\"";

describe("createSandbox (separation of jobs and commands)", () => {
  it("shows job B nothing that job A wrote (two sandboxes on two workspaces)", async () => {
    const rootA = await tempDir();
    const rootB = await tempDir();
    const jobA = await createSandbox({ root: rootA });
    const jobB = await createSandbox({ root: rootB });
    expect((await jobA.run(WRITE_EVERYWHERE)).exitCode).toBe(0);
    expect(await readFile(path.join(rootA, "a.txt"), "utf8")).toBe("job-a\n");

    const result = await jobB.run(
      'echo "workspace=$(ls -A)"; echo "tmp=$(ls -A /tmp)"; echo "home=$(ls -A "$HOME")"; ' +
        // Job A's workspace by its host path: the host's /tmp is not in the sandbox.
        `cat ${rootA}/a.txt 2>/dev/null; echo by-host-path=$?`,
    );
    expect(result.output).toBe("workspace=\ntmp=home\nhome=\nby-host-path=1\n");
    expect(existsSync(path.join(rootB, "a.txt"))).toBe(false);
  });

  it("gives every command a fresh /tmp and HOME, even in the same workspace", async () => {
    const root = await tempDir();
    const sandbox = await createSandbox({ root });
    await sandbox.run(WRITE_EVERYWHERE);
    const result = await sandbox.run('echo "tmp=$(ls -A /tmp)"; echo "home=$(ls -A "$HOME")"; cat a.txt');
    // The workspace is the one thing that carries over from command to command.
    expect(result.output).toBe("tmp=home\nhome=\njob-a\n");
  });

  it("shows the sandbox only the system, its workspace, and its own /tmp, /proc and /dev", async () => {
    const sandbox = await createSandbox({ root: await tempDir() });
    const result = await sandbox.run("ls -A / | tr '\\n' ' '");
    const entries = result.output.trim().split(" ");
    const expected = ["bin", "dev", "etc", "lib", "proc", "tmp", "usr", "workspace"];
    expect(entries).toEqual(expect.arrayContaining(expected));
    // Nothing else of the host's root: no /home, /root, /var, /run, /srv or /mnt.
    const allowed = new Set([...expected, "sbin", "lib32", "lib64", "libx32", "opt"]);
    expect(entries.filter((entry) => !allowed.has(entry))).toEqual([]);
  });
});
