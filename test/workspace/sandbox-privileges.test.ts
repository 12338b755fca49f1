import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { chmod, chown, copyFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createSandbox } from "../../src/workspace/create-sandbox.ts";
import { hostProcessesWith, tempDir } from "./helpers.ts";

const isRoot = process.getuid?.() === 0;

/** The status lines that say who a process is and what it may do. */
const IDENTITY = /^(Uid|NoNewPrivs|CapInh|CapPrm|CapEff|CapBnd|CapAmb):\s*(.*)$/gm;

function identityOf(output: string): Record<string, string> {
  return Object.fromEntries([...output.matchAll(IDENTITY)].map((match) => [match[1], (match[2] ?? "").replace(/\s+/g, " ")]));
}

const NO_CAPABILITIES = "0000000000000000";

describe("createSandbox (privileges and processes)", () => {
  const children: ReturnType<typeof spawn>[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) {
      child.kill("SIGKILL");
      if (child.exitCode === null && child.signalCode === null) await once(child, "exit");
    }
  });

  it("sets no_new_privs and holds no capabilities at all", async () => {
    const sandbox = await createSandbox({ root: await tempDir() });
    const identity = identityOf((await sandbox.run("cat /proc/self/status")).output);
    expect(identity).toMatchObject({
      NoNewPrivs: "1",
      CapInh: NO_CAPABILITIES,
      CapPrm: NO_CAPABILITIES,
      CapEff: NO_CAPABILITIES,
      CapBnd: NO_CAPABILITIES,
      CapAmb: NO_CAPABILITIES,
    });
  });

  it("lets a setuid binary gain nothing", async () => {
    const root = await tempDir();
    // Outside the workspace (whose files a root worker hands to the sandbox user, which clears setuid bits).
    const suidDir = await tempDir("pw-suid-");
    const sandbox = await createSandbox({ root, extraBinds: [{ hostPath: suidDir, sandboxPath: "/suid", writable: false }] });
    if (isRoot) {
      // A root worker's commands run as the unprivileged sandbox user (uid 1000
      // inside): a setuid-root binary would make them root, a setuid binary of
      // another user would change the uid. Neither happens.
      for (const [name, owner] of [["suid-root-cat", 0], ["suid-other-cat", 4242]] as const) {
        await copyFile("/usr/bin/cat", path.join(suidDir, name));
        await chown(path.join(suidDir, name), owner, owner);
        await chmod(path.join(suidDir, name), 0o6755);
        const identity = identityOf((await sandbox.run(`/suid/${name} /proc/self/status`)).output);
        expect(identity).toMatchObject({ Uid: "1000 1000 1000 1000", CapEff: NO_CAPABILITIES, CapPrm: NO_CAPABILITIES, NoNewPrivs: "1" });
      }
    } else {
      // An unprivileged worker: su is setuid root on every Debian/Ubuntu. Held
      // at its password prompt, it shows whether it became root (on the host
      // it does: "Uid: 1001 0 0 0" and a full CapEff).
      if (!existsSync("/usr/bin/su")) throw new Error("/usr/bin/su (util-linux) is needed to prove that setuid grants nothing");
      const uid = String(process.getuid?.());
      const result = await sandbox.run(
        "mkfifo /tmp/prompt; sleep 30 | su -c true root 2>/tmp/prompt & read -r -N 9 prompt < /tmp/prompt; echo \"prompt=$prompt\"; " +
          'for comm in /proc/[0-9]*/comm; do [ "$(cat "$comm")" = su ] && cat "${comm%/comm}/status"; done; kill %1',
      );
      expect(result.output).toContain("prompt=Password:");
      expect(identityOf(result.output)).toMatchObject({ Uid: `${uid} ${uid} ${uid} ${uid}`, CapEff: NO_CAPABILITIES, NoNewPrivs: "1" });
    }
  });

  it("refuses to create nested user namespaces", async () => {
    const sandbox = await createSandbox({ root: await tempDir() });
    const result = await sandbox.run("unshare --user true; echo unshare=$?");
    expect(result.output).toMatch(/unshare=1\n/);
  });

  it("mounts a fresh /proc of its own PID namespace: no host process is visible", async () => {
    const marker = `pw-host-visible-${process.pid}-${Date.now()}`;
    const host = spawn("sleep", ["1000"], { argv0: marker, stdio: "ignore" });
    children.push(host);
    await once(host, "spawn");
    const sandbox = await createSandbox({ root: await tempDir() });
    const result = await sandbox.run(
      "echo \"init=$(tr '\\0' ' ' < /proc/1/cmdline | cut -d' ' -f1)\"; " +
        "echo \"pids=$(ls /proc | grep -E '^[0-9]+$' | tr '\\n' ' ')\"; " +
        "echo \"cmdlines=$(cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' ')\"",
    );
    const field = (name: string): string => new RegExp(`^${name}=(.*)$`, "m").exec(result.output)?.[1] ?? "";
    const init = field("init");
    const visible = field("pids").trim().split(" ").map(Number);
    const cmdlines = field("cmdlines");
    // PID 1 is bubblewrap's own init, not the host's.
    expect(init).toBe("/usr/bin/bwrap");
    // Only the handful of processes of this command, numbered from 1 ...
    expect(visible.length).toBeLessThan(10);
    expect(Math.max(...visible)).toBeLessThan(100);
    // ... and none of the host's: not the process the test started, not the test runner.
    expect(cmdlines).not.toContain(marker);
    expect(cmdlines).not.toContain("vitest");
    // The host does see that process: the marker is where the check looks.
    expect(await hostProcessesWith(marker)).toEqual([host.pid]);
  });
});
