/**
 * Files the sandbox gets from us rather than from the host: the /etc entries
 * we generate (users, hosts, name service, git's system config) and the Node
 * binary of the registry relay. They live in one per-process directory with a
 * neutral name under the system's temp dir, readable by everyone: a bind
 * mount's source path shows in /proc/self/mountinfo inside the sandbox, so
 * binding the worker's own Node from its install directory would reveal where
 * the app lives.
 */
import { chmodSync, copyFileSync, linkSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { SANDBOX_HOME } from "./sandbox-paths.ts";
import { SANDBOX_UID, SANDBOX_USER_NAME } from "./sandbox-user.ts";

/** Generated /etc files: name → content. */
export const GENERATED_ETC: Readonly<Record<string, string>> = {
  passwd:
    "root:x:0:0:root:/root:/usr/sbin/nologin\n" +
    `${SANDBOX_USER_NAME}:x:${SANDBOX_UID}:${SANDBOX_UID}:Patchwright sandbox:${SANDBOX_HOME}:/bin/bash\n` +
    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
  group: `root:x:0:\n${SANDBOX_USER_NAME}:x:${SANDBOX_UID}:\nnogroup:x:65534:\n`,
  hosts: "127.0.0.1\tlocalhost patchwright\n::1\tlocalhost ip6-localhost ip6-loopback\n",
  hostname: "patchwright\n",
  "nsswitch.conf": "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\n",
  // The workspace's .git belongs to the worker (root, or the worker's user), not to the sandbox user.
  gitconfig: "[safe]\n\tdirectory = *\n",
};

let staged: string | undefined;
let stagedNode: string | undefined;
let removeOnExit: (() => void) | undefined;

/** The staging directory (created on first use, removed when the process exits). */
export function stagingDir(): string {
  if (staged !== undefined) return staged;
  const dir = mkdtempSync(path.join(tmpdir(), "pw-"));
  chmodSync(dir, 0o755);
  mkdirSync(path.join(dir, "etc"), { mode: 0o755 });
  for (const [name, content] of Object.entries(GENERATED_ETC)) writeFileSync(path.join(dir, "etc", name), content, { mode: 0o644 });
  removeOnExit = () => rmSync(dir, { recursive: true, force: true });
  process.once("exit", removeOnExit);
  staged = dir;
  return dir;
}

/**
 * Removes the staging directory now, for a host that outlives this module's
 * sandboxes without exiting (a test runner reuses its worker processes and ends
 * them with a signal, so the exit hook never runs). The next sandbox stages anew.
 * Only call it when no sandbox of this process is running.
 */
export function releaseStagingDir(): void {
  if (removeOnExit) {
    process.removeListener("exit", removeOnExit);
    removeOnExit();
  }
  staged = undefined;
  stagedNode = undefined;
  removeOnExit = undefined;
}

/** Host path of a generated /etc file. */
export function generatedEtcPath(name: string): string {
  return path.join(stagingDir(), "etc", name);
}

/** The worker's Node binary, hard-linked (or copied) into the staging directory. */
export function stagedNodePath(): string {
  if (stagedNode !== undefined) return stagedNode;
  const target = path.join(stagingDir(), "node");
  const source = realpathSync(process.execPath);
  try {
    linkSync(source, target);
  } catch {
    copyFileSync(source, target);
    chmodSync(target, 0o755);
  }
  stagedNode = target;
  return target;
}
