/**
 * A pids cgroup per command, for a worker running as root. The kernel never
 * applies RLIMIT_NPROC to uid 0 (and bubblewrap maps the worker's uid into
 * the sandbox, so a root worker's commands are uid 0 on the host), so for
 * root the process limit is a cgroup's `pids.max` instead. Works with the
 * cgroup v1 pids hierarchy, or with cgroup v2 where this process's cgroup
 * already delegates `pids` to its children (`cgroup.subtree_control`).
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rmdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";

/** Why a root worker without a usable pids cgroup refuses to run commands, and what to do. */
export const ROOT_WITHOUT_CGROUP_MESSAGE =
  "Cannot limit the number of processes of sandboxed commands: the worker runs as root, which the kernel " +
  "exempts from RLIMIT_NPROC, and no pids cgroup can be created under its own cgroup. Run the worker as an " +
  "unprivileged user (recommended: the limit then holds per sandbox), or start it in a cgroup that delegates " +
  "the pids controller (cgroup v1 pids hierarchy, or v2 with `+pids` in cgroup.subtree_control).";

export interface PidsCgroup {
  /** The `cgroup.procs` file: a process that writes its pid there joins, with its future children. */
  readonly procsFile: string;
  /** Removes the cgroup once its processes are gone. Never throws. */
  remove(): Promise<void>;
}

/**
 * The cgroup directories (this process's own, in each hierarchy that has the
 * pids controller) under which per-command cgroups could be created.
 */
export async function pidsCgroupParents(): Promise<string[]> {
  const [membership, mountinfo] = await Promise.all([
    readFile("/proc/self/cgroup", "utf8").catch(() => ""),
    readFile("/proc/self/mountinfo", "utf8").catch(() => ""),
  ]);
  const parents: string[] = [];
  for (const line of mountinfo.split("\n")) {
    const [left, right] = line.split(" - ");
    const [, , , mountRoot, mountPoint] = left?.split(" ") ?? [];
    const [fsType, , superOptions] = right?.split(" ") ?? [];
    if (mountRoot === undefined || mountPoint === undefined) continue;
    const own =
      fsType === "cgroup" && (superOptions ?? "").split(",").includes("pids")
        ? ownCgroupPath(membership, (controllers) => controllers.split(",").includes("pids"))
        : fsType === "cgroup2"
          ? ownCgroupPath(membership, (controllers, id) => id === "0" && controllers === "")
          : undefined;
    if (own === undefined || !(own === mountRoot || own.startsWith(`${mountRoot === "/" ? "" : mountRoot}/`))) continue;
    parents.push(path.join(mountPoint, own.slice(mountRoot.length)));
  }
  return parents;
}

/** The path of this process's cgroup in the hierarchy whose /proc/self/cgroup line matches. */
function ownCgroupPath(membership: string, matches: (controllers: string, id: string) => boolean): string | undefined {
  for (const line of membership.split("\n")) {
    const [id, controllers, ...rest] = line.split(":");
    if (id !== undefined && controllers !== undefined && rest.length > 0 && matches(controllers, id)) return rest.join(":");
  }
  return undefined;
}

/**
 * Creates a child cgroup of `parent` allowing at most `maxProcesses` tasks,
 * or returns undefined when `parent` cannot have one (not writable, or no
 * pids controller for its children).
 */
export async function createPidsCgroup(parent: string, maxProcesses: number): Promise<PidsCgroup | undefined> {
  const dir = path.join(parent, `patchwright-${process.pid}-${randomBytes(6).toString("hex")}`);
  try {
    await mkdir(dir);
  } catch {
    return undefined;
  }
  const cgroup: PidsCgroup = { procsFile: path.join(dir, "cgroup.procs"), remove: () => removeCgroup(dir) };
  try {
    if (!existsSync(path.join(dir, "pids.max"))) throw new Error("no pids controller");
    await writeFile(path.join(dir, "pids.max"), String(maxProcesses));
    return cgroup;
  } catch {
    await cgroup.remove();
    return undefined;
  }
}

/**
 * The first parent under which a pids cgroup can really be created, checked
 * by creating one. Empty cgroups left by dead workers (killed mid-command,
 * before their `finally`) are removed on the way.
 */
export async function findPidsCgroupParent(): Promise<string | undefined> {
  for (const parent of await pidsCgroupParents()) {
    const probe = await createPidsCgroup(parent, 1);
    if (probe === undefined) continue;
    await probe.remove();
    await removeStaleCgroups(parent);
    return parent;
  }
  return undefined;
}

/** Removes `patchwright-<pid>-*` children whose worker is gone (rmdir refuses non-empty ones). */
async function removeStaleCgroups(parent: string): Promise<void> {
  for (const name of await readdir(parent).catch(() => [])) {
    const owner = /^patchwright-(\d+)-[0-9a-f]+$/.exec(name)?.[1];
    if (owner === undefined || existsSync(`/proc/${owner}`)) continue;
    await rmdir(path.join(parent, name)).catch(() => undefined);
  }
}

/**
 * The command line that joins the cgroup and then becomes `file args`: the
 * cgroup is joined before bubblewrap starts, so nothing escapes the count.
 */
export function joinCgroupCommand(cgroup: PidsCgroup, file: string, args: readonly string[]): { file: string; args: string[] } {
  return {
    file: "/bin/sh",
    args: ["-c", 'echo $$ > "$1" && shift && exec "$@"', "patchwright-cgroup", cgroup.procsFile, file, ...args],
  };
}

/**
 * rmdir fails with EBUSY while a killed process is still exiting (the PID
 * namespace is torn down asynchronously after a timeout): retry for a while,
 * then leave the empty cgroup behind rather than fail the command.
 */
async function removeCgroup(dir: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    try {
      await rmdir(dir);
      return;
    } catch (error) {
      // ENOENT: already gone. Anything but EBUSY will not change by waiting.
      if ((error as NodeJS.ErrnoException).code !== "EBUSY") return;
      await delay(20);
    }
  }
}
