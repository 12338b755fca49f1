/**
 * Attacks on the host from inside the sandbox, run for real in bubblewrap:
 * host identity, kernel settings, host configuration, disk, host paths.
 * Each test prints what the attack saw.
 */
import { chmod, mkdir, readFile, realpath, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PatchwrightError } from "../../src/errors.ts";
import { SHM_BYTES } from "../../src/workspace/build-bwrap-args.ts";
import { createSandbox } from "../../src/workspace/create-sandbox.ts";
import { resolveSandboxUser } from "../../src/workspace/sandbox-user.ts";
import { tempDir } from "../workspace/helpers.ts";

const isRoot = process.getuid?.() === 0;
const MIB = 1024 * 1024;

function show(title: string, output: string): void {
  console.log(`--- ${title} ---\n${output}`);
}

describe("sandbox attacks on the host", () => {
  it("never runs as host root: files it writes, root-only files, chown, /root", async () => {
    const root = await tempDir();
    const secrets = await tempDir("pw-secrets-");
    await writeFile(path.join(secrets, "root-only.txt"), "host root secret\n");
    await chmod(path.join(secrets, "root-only.txt"), 0o600);
    const sandbox = await createSandbox({ root, extraBinds: [{ hostPath: secrets, sandboxPath: "/secrets", writable: false }] });
    const result = await sandbox.run(
      "id; echo planted > planted.txt; " +
        "cat /secrets/root-only.txt || echo read-refused; chown 0:0 planted.txt || echo chown-refused; " +
        "ls /root || echo no-root-dir; echo x > /proc/sys/kernel/core_pattern || echo sysctl-refused",
    );
    show("identity attack", result.output);
    expect(result.output).toMatch(/^uid=1000\(patchwright\) gid=1000\(patchwright\)/m);
    // What the sandbox wrote belongs to an unprivileged user on the host: the
    // worker's own, or for a root worker the sandbox user (nobody by default).
    const planted = await stat(path.join(root, "planted.txt"));
    expect(planted.uid).not.toBe(0);
    expect(planted.uid).toBe((await resolveSandboxUser(undefined))?.uid ?? process.getuid?.());
    // A root worker's file is out of the sandbox user's reach; an unprivileged worker's sandbox
    // runs as that worker, so a file of its own that it binds in is its own to read.
    if (isRoot) {
      expect(result.output).not.toContain("host root secret");
      expect(result.output).toContain("read-refused");
    }
    expect(result.output).toContain("chown-refused");
    expect(result.output).toContain("no-root-dir");
    expect(result.output).toContain("sysctl-refused");
  });

  it("cannot write the kernel's settings: /proc/sys and friends are read-only, /sys is absent", async () => {
    const sandbox = await createSandbox({ root: await tempDir() });
    const before = await readFile("/proc/sys/kernel/core_pattern", "utf8");
    const result = await sandbox.run(
      "for f in /proc/sys/kernel/core_pattern /proc/sys/vm/drop_caches /proc/sys/kernel/hostname /proc/sys/user/max_user_namespaces " +
        "/proc/sys/net/ipv4/ip_forward /proc/sysrq-trigger; do " +
        'if echo 1 > "$f" 2>/dev/null; then echo "WROTE $f"; else echo "refused $f"; fi; done; ' +
        "awk '$5 == \"/proc/sys\" { print \"procsys-mount\", $6 }' /proc/self/mountinfo; " +
        "ls -A /sys 2>/dev/null | wc -l | sed 's/^/sys-entries=/'",
    );
    show("kernel settings attack", result.output);
    expect(result.output).not.toContain("WROTE");
    expect(result.output.match(/refused/g)).toHaveLength(6);
    expect(result.output).toMatch(/^procsys-mount ro\b/m);
    expect(result.output).toContain("sys-entries=0");
    expect(await readFile("/proc/sys/kernel/core_pattern", "utf8")).toBe(before);
  });

  it("sees only the /etc files toolchains need, and the toolchains still work", async () => {
    const sandbox = await createSandbox({ root: await tempDir() });
    const result = await sandbox.run(
      "ls -A /etc | tr '\\n' ' '; echo; " +
        "for f in shadow gshadow ssh sudoers gitconfig.host npmrc pip.conf machine-id environment; do [ -e /etc/$f ] && echo \"EXPOSED /etc/$f\"; done; " +
        "getent passwd \"$(id -u)\"; whoami; grep -c . /etc/passwd | sed 's/^/passwd-lines=/'; " +
        "git --version >/dev/null && echo git-ok; git init -q /tmp/r && git -C /tmp/r status >/dev/null && echo git-repo-ok; " +
        "node -e \"console.log('node-ok', require('tls').rootCertificates.length > 0)\"; " +
        "python3 -c \"import ssl; c = ssl.create_default_context(); print('python-ok', len(c.get_ca_certs()) > 0 or c.cert_store_stats()['x509_ca'] > 0)\"; " +
        "[ -s /etc/ssl/certs/ca-certificates.crt ] && echo certs-ok",
    );
    show("/etc view", result.output);
    expect(result.output).not.toContain("EXPOSED");
    const etc = (result.output.split("\n")[0] ?? "").trim().split(" ");
    for (const name of ["passwd", "group", "hosts", "nsswitch.conf", "ssl", "ld.so.cache"]) expect(etc).toContain(name);
    for (const name of ["shadow", "ssh", "sudoers", "npmrc", "pip.conf", "apt", "cron.d", "pam.d", "machine-id", "hostname.host"]) expect(etc).not.toContain(name);
    // The host's passwd (every host account) is not there; the sandbox user is.
    expect(result.output).toContain("patchwright:x:1000:1000:");
    expect(result.output).toMatch(/^patchwright$/m);
    expect(result.output).toContain("passwd-lines=3");
    expect(await readFile("/etc/passwd", "utf8")).not.toContain("patchwright:x:1000");
    for (const ok of ["git-ok", "git-repo-ok", "node-ok true", "python-ok True", "certs-ok"]) expect(result.output).toContain(ok);
  });

  it("bounds /dev/shm and single files", async () => {
    const root = await tempDir();
    const sandbox = await createSandbox({ root, limits: { fileBytes: MIB } });
    const result = await sandbox.run(
      "df -k /dev/shm | tail -1 | tr -s ' ' | cut -d' ' -f2 | sed 's/^/shm-kib=/'; " +
        `head -c ${SHM_BYTES + MIB} /dev/zero > /dev/shm/fill 2>/dev/null; echo shm-fill=$?; rm -f /dev/shm/fill; ` +
        "(head -c 2097152 /dev/zero > big) 2>&1; echo big=$?; stat -c big-size=%s big",
    );
    show("disk attack", result.output);
    expect(result.output).toContain(`shm-kib=${SHM_BYTES / 1024}`);
    expect(result.output).toMatch(/shm-fill=[1-9]/);
    expect(result.output).toMatch(/big=(153|1)\b/);
    expect((await stat(path.join(root, "big"))).size).toBeLessThanOrEqual(MIB);
  });

  it("fails the command that leaves the workspace over its size limit", async () => {
    const root = await tempDir();
    const sandbox = await createSandbox({ root, limits: { workspaceBytes: 4 * MIB, fileBytes: 2 * MIB } });
    // The attack: many files, each under the single-file limit, adding up.
    const error = await sandbox.run("for i in 1 2 3 4 5 6; do head -c 1048576 /dev/urandom > fill-$i; done").then(
      () => undefined,
      (caught: unknown) => caught,
    );
    show("workspace fill attack", String(error));
    expect(error).toBeInstanceOf(PatchwrightError);
    expect((error as PatchwrightError).code).toBe("policy_violation");
    expect((error as PatchwrightError).message).toMatch(/over its limit of 4 MiB/);
    // Once cleaned up, commands run again.
    await rm(path.join(root, "fill-1"));
    await rm(path.join(root, "fill-2"));
    await rm(path.join(root, "fill-3"));
    expect((await sandbox.run("echo ok")).output).toBe("ok\n");
  });

  it("reveals no host path through cwd, env, /proc/*/environ or mount points", async () => {
    const marker = `pw-private-data-${process.pid}`;
    const parent = await tempDir(`${marker}-`);
    const root = path.join(parent, "workspaces", "job-1");
    await mkdir(root, { recursive: true });
    const sandbox = await createSandbox({ root });
    const appDir = path.dirname(path.dirname(await realpath(process.execPath)));
    const result = await sandbox.run(
      'echo "cwd=$(pwd -P) PWD=$PWD OLDPWD=${OLDPWD-unset}"; env; tr "\\0" "\\n" < /proc/self/environ; tr "\\0" "\\n" < /proc/1/environ; ' +
        "cat /proc/self/cmdline /proc/1/cmdline | tr '\\0' ' '; echo; echo MOUNTINFO; cat /proc/self/mountinfo; echo MOUNTS; cat /proc/mounts",
      { network: true },
    );
    show("what the sandbox sees of the host", result.output);
    expect(result.output).toContain("cwd=/workspace PWD=/workspace OLDPWD=unset");
    const [beforeMounts = "", mountinfo = ""] = result.output.split("MOUNTINFO");
    // Nothing but the mount tables names the workspace's host location, and nothing at all names the app's.
    expect(beforeMounts).not.toContain(marker);
    expect(beforeMounts).not.toContain(parent);
    expect(result.output).not.toContain(appDir);
    // Mount points are the sandbox's own names; /proc/mounts shows no host path at all.
    const mountPoints = mountinfo.split("MOUNTS")[0]?.split("\n").map((line) => line.split(" ")[4] ?? "") ?? [];
    expect(mountPoints.filter((point) => point.includes(marker))).toEqual([]);
    expect(mountinfo.split("MOUNTS")[1]).not.toContain(marker);
  });
});
