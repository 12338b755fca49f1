/**
 * Extra host directories (or files) mounted into the sandbox, for example a
 * per-repository package cache. Checked once, when the sandbox is created:
 * they may add places, never cover the system, the workspace or its `.git`.
 */
import { realpath } from "node:fs/promises";
import path from "node:path";
import { PatchwrightError } from "../errors.ts";
import { SANDBOX_WORKSPACE, SYSTEM_PATHS } from "./sandbox-paths.ts";

export interface ExtraBind {
  /** Absolute path on the host; it must exist. Symlinks are resolved when the sandbox is created. */
  readonly hostPath: string;
  /**
   * Absolute, normalised path inside the sandbox: a new directory such as
   * `/cache`, or one under `/tmp` (HOME is `/tmp/home`, so `/tmp/home/.npm`
   * is npm's default cache).
   */
  readonly sandboxPath: string;
  /** Whether commands may write to it. Writes persist on the host across commands and jobs. */
  readonly writable: boolean;
}

/**
 * Inside the sandbox these are ours: the read-only system, the kernel's
 * file systems, the workspace (and its read-only `.git`), the private /tmp
 * itself, and where the registry proxy is mounted.
 */
const RESERVED_SANDBOX_PATHS: readonly string[] = [...SYSTEM_PATHS, "/proc", "/dev", "/sys", "/run/patchwright", SANDBOX_WORKSPACE];

function isAtOrUnder(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir === "/" ? "/" : `${dir}/`);
}

/**
 * Checks the binds and resolves their host paths.
 * @param root canonical host path of the workspace.
 * @throws PatchwrightError `internal` naming the bind and the rule it breaks.
 */
export async function resolveExtraBinds(binds: readonly ExtraBind[], root: string): Promise<ExtraBind[]> {
  const resolved: ExtraBind[] = [];
  const seen = new Set<string>();
  for (const bind of binds) {
    const fail = (rule: string): never => {
      throw new PatchwrightError("internal", `Extra bind ${bind.hostPath} -> ${bind.sandboxPath}: ${rule}; fix the extraBinds option of createSandbox.`);
    };
    const target = bind.sandboxPath;
    if (!path.posix.isAbsolute(target) || path.posix.normalize(target) !== target || (target !== "/" && target.endsWith("/"))) {
      fail("sandboxPath must be an absolute, normalised path");
    }
    if (target === "/" || target === "/tmp" || RESERVED_SANDBOX_PATHS.some((reserved) => isAtOrUnder(target, reserved))) {
      fail(`sandboxPath may not be /, /tmp itself, or at or under ${RESERVED_SANDBOX_PATHS.join(", ")}`);
    }
    if (seen.has(target)) fail("sandboxPath is already bound");
    seen.add(target);
    if (!path.isAbsolute(bind.hostPath)) fail("hostPath must be absolute");
    const hostPath = await realpath(bind.hostPath).catch(() => fail("hostPath does not exist"));
    // A bind that contains the workspace would reopen its .git for writing, or other jobs' workspaces for reading.
    if (isAtOrUnder(root, hostPath) || isAtOrUnder(hostPath, root)) fail("hostPath may not contain, or be inside, the workspace");
    if (bind.writable && (hostPath === "/" || SYSTEM_PATHS.some((system) => isAtOrUnder(hostPath, system)))) {
      fail("a writable hostPath may not be a system directory");
    }
    resolved.push({ hostPath, sandboxPath: target, writable: bind.writable });
  }
  return resolved;
}
