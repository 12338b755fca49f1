/**
 * Who sandboxed commands are on the host. Inside, they are always uid/gid
 * `SANDBOX_UID` ("patchwright"). An unprivileged worker's bubblewrap maps that
 * to the worker's own uid, as before. A root worker's would map it to uid 0:
 * files written as host root, root-owned 0600 files readable, and global-root
 * permission checks (/proc/sys) passed. So a root worker starts bubblewrap
 * through `setpriv` as an unprivileged host user (`SandboxUser`) instead, and
 * gives that user what it needs: the workspace (owned by it, except the
 * top directory and `.git`, which stay root's so host git still trusts them)
 * and search permission on the directories above (group only).
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { PatchwrightError } from "../errors.ts";

/** The uid and gid of sandboxed commands as they see themselves. */
export const SANDBOX_UID = 1000;
export const SANDBOX_USER_NAME = "patchwright";

/** The host user a root worker's sandboxes run as. */
export interface SandboxUser {
  readonly uid: number;
  readonly gid: number;
}

/** The host user looked up by default, then nobody/nogroup. */
export const DEFAULT_SANDBOX_USER_NAME = "patchwright-sandbox";
const NOBODY: SandboxUser = { uid: 65534, gid: 65534 };

export const SETPRIV_PATH = "/usr/bin/setpriv";

/**
 * The host user the sandbox drops to, or undefined for an unprivileged
 * worker (bubblewrap already runs as that worker's own user).
 * @param configured the operator's choice; default the `patchwright-sandbox`
 *   user of /etc/passwd, else nobody/nogroup (65534).
 * @throws PatchwrightError `internal` for uid or gid 0; `sandbox_unavailable`
 *   when setpriv (util-linux) is missing.
 */
export async function resolveSandboxUser(configured: SandboxUser | undefined, uid = process.getuid?.()): Promise<SandboxUser | undefined> {
  if (uid !== 0) return undefined;
  const user = configured ?? (await lookUpUser(DEFAULT_SANDBOX_USER_NAME)) ?? NOBODY;
  for (const [name, value] of Object.entries(user)) {
    if (!Number.isSafeInteger(value) || value <= 0 || value >= 2 ** 32 - 1) {
      throw new PatchwrightError("internal", `Sandbox ${name} must be an unprivileged id (1 … 2^32-2), got ${String(value)}; fix the sandboxUser option of createSandbox.`);
    }
  }
  if (!existsSync(SETPRIV_PATH)) {
    throw new PatchwrightError(
      "sandbox_unavailable",
      `The worker runs as root, and its sandboxed commands must not: ${SETPRIV_PATH} (util-linux) is needed to start bubblewrap as ` +
        `uid ${user.uid}. Install util-linux, or run the worker as an unprivileged user.`,
    );
  }
  return user;
}

/**
 * The command line that becomes `user` (real, effective and saved ids; no
 * supplementary groups; no capabilities in any set) and then runs `file args`.
 */
export function dropPrivilegesCommand(user: SandboxUser, file: string, args: readonly string[]): { file: string; args: string[] } {
  return {
    file: SETPRIV_PATH,
    args: [`--reuid=${user.uid}`, `--regid=${user.gid}`, "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--", file, ...args],
  };
}

async function lookUpUser(name: string): Promise<SandboxUser | undefined> {
  const passwd = await readFile("/etc/passwd", "utf8").catch(() => "");
  for (const line of passwd.split("\n")) {
    const [entry, , uid, gid] = line.split(":");
    if (entry === name && uid !== undefined && gid !== undefined) return { uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}
