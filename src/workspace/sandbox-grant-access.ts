/**
 * A root worker's sandboxes run as an unprivileged host user
 * (`sandbox-user.ts`), which must be able to reach and write what is bound
 * writable: before every command (cheap: one `find` that only touches what is
 * not the sandbox user's yet, such as files the host's git or the file tools
 * just wrote), this gives that user
 * - search permission (group only) on the directories above each bind source:
 *   bubblewrap resolves bind sources as the user it runs as;
 * - the workspace's files and directories, except `.git` (read-only inside
 *   anyway, and host git keeps running there as root) and the top directory,
 *   which stays root's (host git refuses a worktree another user owns) with
 *   the sandbox group allowed to write in it;
 * - the contents of writable extra binds (a package cache).
 * Files with more than one hard link are left alone: the other name may be
 * outside the workspace (a mirror's objects), and chown follows the inode.
 */
import type { Stats } from "node:fs";
import { chmod, chown, stat } from "node:fs/promises";
import path from "node:path";
import { PatchwrightError } from "../errors.ts";
import { runProcess } from "./run-process.ts";
import type { SandboxUser } from "./sandbox-user.ts";

export interface GrantInput {
  readonly user: SandboxUser;
  /** Canonical host path of the workspace. */
  readonly root: string;
  /** Writable bind sources (their contents become the user's). */
  readonly writable: readonly string[];
  /** Every other bind source (the user needs to reach them). */
  readonly readable: readonly string[];
}

export async function grantSandboxAccess(input: GrantInput): Promise<void> {
  const { user, root } = input;
  for (const source of [root, ...input.writable, ...input.readable]) await makeReachable(path.dirname(source), user);
  // A read-only bind's own directory must be listable too; what is inside keeps its modes.
  for (const source of input.readable) {
    const info = await stat(source);
    if (info.isDirectory() && !canList(info, user)) {
      if (info.gid !== 0 && info.gid !== user.gid) throw unreachable(source, info, user);
      await chown(source, info.uid, user.gid);
      await chmod(source, (info.mode & 0o7777) | 0o050);
    }
  }
  const top = await stat(root);
  if (top.gid !== user.gid) await chown(root, top.uid, user.gid);
  if ((top.mode & 0o070) !== 0o070) await chmod(root, (top.mode & 0o7777) | 0o070);
  const owner = `${user.uid}:${user.gid}`;
  await chownTree(root, ["-mindepth", "1", "-name", ".git", "-prune", "-o"], owner, user.uid);
  for (const dir of input.writable) await chownTree(dir, [], owner, user.uid);
}

/** Adds group search permission (the sandbox group) on `dir` and its ancestors where the user has none. */
async function makeReachable(dir: string, user: SandboxUser): Promise<void> {
  for (let current = dir; ; current = path.dirname(current)) {
    const info = await stat(current);
    const searchable =
      (info.mode & 0o001) !== 0 || (info.gid === user.gid && (info.mode & 0o010) !== 0) || (info.uid === user.uid && (info.mode & 0o100) !== 0);
    if (!searchable) {
      if (info.gid !== 0 && info.gid !== user.gid) throw unreachable(current, info, user);
      await chown(current, info.uid, user.gid);
      await chmod(current, (info.mode & 0o7777) | 0o010);
    }
    if (current === path.dirname(current)) return;
  }
}

function canList(info: Stats, user: SandboxUser): boolean {
  const bits = info.uid === user.uid ? (info.mode >> 6) & 0o7 : info.gid === user.gid ? (info.mode >> 3) & 0o7 : info.mode & 0o7;
  return (bits & 0o5) === 0o5;
}

function unreachable(dir: string, info: Stats, user: SandboxUser): PatchwrightError {
  return new PatchwrightError(
    "sandbox_unavailable",
    `The sandbox user (uid ${user.uid}) cannot reach ${dir} (group ${info.gid}, mode ${(info.mode & 0o777).toString(8)}): ` +
      `give it search permission (chmod o+x, or group ${user.gid} with g+x), or keep workspaces elsewhere.`,
  );
}

/** chown -h to `owner` everything below `dir` (after `prefix`) not owned by `uid` yet, but multiply linked files. */
async function chownTree(dir: string, prefix: readonly string[], owner: string, uid: number): Promise<void> {
  const result = await runProcess({
    file: "/usr/bin/find",
    args: [dir, ...prefix, "(", "-type", "d", "-o", "-links", "1", ")", "!", "-uid", String(uid), "-exec", "chown", "-h", owner, "{}", "+"],
    cwd: "/",
    env: { PATH: "/usr/bin:/bin", LC_ALL: "C" },
    timeoutMs: 120_000,
    outputLimitBytes: 8_192,
  });
  if (result.exitCode !== 0) {
    throw new PatchwrightError("sandbox_unavailable", `Cannot give the sandbox user the files of ${dir}: ${result.output.trim() || `exit ${result.exitCode}`}`);
  }
}
