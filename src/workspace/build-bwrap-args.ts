/**
 * The bubblewrap command line for one sandboxed command. Pure: the file
 * system facts it needs (which system paths exist, which are symlinks) are
 * passed in, so the policy can be read and tested in one place.
 */
import { relayScript, SANDBOX_NODE, SANDBOX_PROXY_SOCKET } from "./registry-proxy-relay.ts";
import type { ExtraBind } from "./sandbox-extra-binds.ts";
import { limitsScript, type SandboxLimits } from "./sandbox-limits.ts";
import { SANDBOX_HOME, SANDBOX_WORKSPACE } from "./sandbox-paths.ts";
import { SANDBOX_UID } from "./sandbox-user.ts";

/**
 * A system path inside the sandbox and how to reproduce it: bound read-only
 * from `source` (default: the same path on the host), or a symlink.
 */
export type SystemPath =
  | { readonly path: string; readonly kind: "dir" | "file"; readonly source?: string }
  | { readonly path: string; readonly kind: "symlink"; readonly target: string };

/** Size of the private /dev/shm (a tmpfs, so host memory). */
export const SHM_BYTES = 64 * 1024 * 1024;

/**
 * What the network namespace holds: nothing but loopback (`none`), the
 * host's network (`host`), or nothing but the registry proxy's socket and a
 * relay to it (`proxy`, see `registry-proxy-relay.ts`).
 */
export type SandboxNetwork =
  | { readonly kind: "none" }
  | { readonly kind: "host" }
  | { readonly kind: "proxy"; readonly socketPath: string; readonly nodePath: string };

export interface BwrapArgsInput {
  /** Absolute, canonical host path of the workspace. */
  readonly root: string;
  /** Whether the workspace has a `.git` entry (bound read-only on top). */
  readonly hasGitDir: boolean;
  /** Absolute cwd inside the sandbox (under SANDBOX_WORKSPACE). */
  readonly cwd: string;
  readonly network: SandboxNetwork;
  readonly env: Readonly<Record<string, string>>;
  /** System paths to expose read-only (`SYSTEM_DIRS`, `ETC_ALLOWLIST` and the generated /etc files). */
  readonly systemPaths: readonly SystemPath[];
  /** Checked extra binds (see `sandbox-extra-binds.ts`). */
  readonly extraBinds: readonly ExtraBind[];
  readonly limits: SandboxLimits;
  /** The command, run as `bash -c <command>`. */
  readonly command: string;
}

/**
 * Runs the command with stderr merged into stdout on one pipe, so the two
 * streams interleave in true arrival order. `$1` is the command, so the user's
 * script keeps its own line numbers and quoting.
 */
export const MERGE_STDERR_SCRIPT = 'exec 2>&1; exec /bin/bash -c "$1"';

/**
 * The script bubblewrap starts: the registry relay when the network is the
 * proxy, then the resource limits, then the command (see MERGE_STDERR_SCRIPT).
 */
export function sandboxScript(network: SandboxNetwork, limits: SandboxLimits): string {
  return [...(network.kind === "proxy" ? [relayScript()] : []), limitsScript(limits), MERGE_STDERR_SCRIPT].join("\n");
}

/** The command line ends with these many arguments: `-- /bin/bash -c <script> patchwright-sandbox <command>`. */
export const BWRAP_COMMAND_ARGS = 6;

export function buildBwrapArgs(input: BwrapArgsInput): string[] {
  const args: string[] = [
    // Every namespace (user, pid, net, ipc, uts, cgroup); net comes back only for `host`.
    "--unshare-all",
    // A user namespace even for a root worker, so that nested ones can be refused:
    // a command that makes its own gets capabilities there (mounting, more kernel surface).
    "--unshare-user",
    "--disable-userns",
    // Always the same unprivileged identity inside. bubblewrap maps it to the
    // user it runs as: the worker's, or for a root worker the unprivileged
    // sandbox user it is started as (`sandbox-user.ts`), never host root.
    "--uid",
    String(SANDBOX_UID),
    "--gid",
    String(SANDBOX_UID),
    ...(input.network.kind === "host" ? ["--share-net"] : []),
    // Killing bwrap kills everything inside: the timeout takes the whole tree.
    "--die-with-parent",
    // A new session: no TIOCSTI keystroke injection into a controlling terminal.
    "--new-session",
    // Root inside a user namespace must not get capabilities (remounting, etc.).
    // bwrap also sets no_new_privs: setuid and file capabilities grant nothing.
    "--cap-drop",
    "ALL",
    "--hostname",
    "patchwright",
  ];
  for (const entry of input.systemPaths) {
    // The host's resolver configuration is only of use with the host's network.
    if (entry.path === "/etc/resolv.conf" && input.network.kind !== "host") continue;
    if (entry.kind === "symlink") args.push("--symlink", entry.target, entry.path);
    else args.push("--ro-bind", entry.source ?? entry.path, entry.path);
  }
  if (input.network.kind === "host") {
    // /etc/resolv.conf is often a symlink into systemd-resolved's runtime dir.
    args.push("--ro-bind-try", "/run/systemd/resolve", "/run/systemd/resolve");
  }
  if (input.network.kind === "proxy") {
    args.push("--ro-bind", input.network.nodePath, SANDBOX_NODE, "--bind", input.network.socketPath, SANDBOX_PROXY_SOCKET);
  }
  // A fresh /proc of the new PID namespace: the host's processes are not there.
  // Its sysctls are the kernel's, though: read-only (bwrap does it too; we do not rely on that).
  // No /sys at all.
  args.push("--proc", "/proc", "--ro-bind", "/proc/sys", "/proc/sys", "--dev", "/dev");
  // POSIX shared memory: a small tmpfs of its own instead of a directory on /dev's unbounded one.
  args.push("--size", String(SHM_BYTES), "--tmpfs", "/dev/shm");
  // /tmp is a tmpfs, so host memory: bounded.
  args.push("--size", String(input.limits.tmpBytes), "--tmpfs", "/tmp", "--dir", SANDBOX_HOME);
  for (const bind of input.extraBinds) args.push(bind.writable ? "--bind" : "--ro-bind", bind.hostPath, bind.sandboxPath);
  args.push("--bind", input.root, SANDBOX_WORKSPACE);
  if (input.hasGitDir) {
    // The host runs git in this repository after the sandbox (commit, diff,
    // push). A writable .git would let repository code plant hooks, a config
    // (core.fsmonitor, filters) or a `commondir` redirect that the host then
    // executes. So the whole .git is read-only inside; being a mount point it
    // cannot be renamed or deleted either. Reading (git status/diff/log) works.
    args.push("--ro-bind", `${input.root}/.git`, `${SANDBOX_WORKSPACE}/.git`);
  }
  args.push("--chdir", input.cwd);
  // Everything outside the binds above (the sandbox's own root) becomes read-only.
  args.push("--remount-ro", "/");
  args.push("--clearenv");
  for (const [name, value] of Object.entries(input.env)) args.push("--setenv", name, value);
  args.push("--", "/bin/bash", "-c", sandboxScript(input.network, input.limits), "patchwright-sandbox", input.command);
  return args;
}
