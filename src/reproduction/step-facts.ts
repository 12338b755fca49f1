/** Small judgements about one `run:` step: its working directory, and whether it installs dependencies. */
import path from "node:path";
import { PatchwrightError } from "../errors.ts";
import { SANDBOX_WORKSPACE } from "../workspace/sandbox-paths.ts";
import { buildSandboxEnv } from "../workspace/sandbox-env.ts";

export type JailedDirectory = { ok: true; cwd: string } | { ok: false; error: string };

/**
 * A `working-directory` relative to the workspace (`.` for the root). Paths
 * under `github.workspace` are made relative; anything that leaves the
 * checkout (`..`, another absolute path, `~`) is refused.
 */
export function jailWorkingDirectory(directory: string | undefined): JailedDirectory {
  let raw = (directory ?? "").trim().replaceAll("\\", "/");
  if (raw === SANDBOX_WORKSPACE || raw.startsWith(`${SANDBOX_WORKSPACE}/`)) raw = raw.slice(SANDBOX_WORKSPACE.length + 1);
  if (raw === "" || raw === ".") return { ok: true, cwd: "." };
  const refuse = (why: string): JailedDirectory => ({ ok: false, error: `working-directory \`${directory ?? ""}\` ${why}` });
  if (raw.includes("\0")) return refuse("contains a NUL character");
  if (raw.startsWith("~") || path.posix.isAbsolute(raw)) return refuse("is outside the checkout");
  const normalized = path.posix.normalize(raw).replace(/\/+$/, "");
  if (normalized === ".." || normalized.startsWith("../")) return refuse("leaves the checkout (`..`)");
  return { ok: true, cwd: normalized === "" ? "." : normalized };
}

/** Package-manager commands that download dependencies: the only ones given network. */
const INSTALL_COMMANDS: readonly RegExp[] = [
  /\bnpm\s+(ci|install|i|clean-install|add)\b/,
  /\b(pnpm|bun)\s+(install|i|add)\b/,
  /\byarn\s+(install|add)\b/,
  // A bare `yarn` (flags only) installs.
  /(^|[;&|(]\s*)yarn(\s+--?[\w-]+(=\S+)?)*\s*($|[;&|)])/m,
  /\b(pip|pip3)\s+install\b/,
  /\bpython[\d.]*\s+-m\s+pip\s+install\b/,
  /\b(poetry|pipenv|bundle|composer)\s+install\b/,
  /\bpipenv\s+sync\b/,
  /\buv\s+(sync|pip\s+install)\b/,
  /\bgo\s+mod\s+download\b/,
  /\bcargo\s+fetch\b/,
  /\b(npx\s+)?playwright\s+install\b/,
];

/** Whether a script installs dependencies (any line of it). */
export function installsDependencies(script: string): boolean {
  return INSTALL_COMMANDS.some((pattern) => pattern.test(script));
}

/**
 * Variables the dynamic loader and libc read at start-up. The sandbox hands a
 * command's `env` to the host's bubblewrap process as well as to the command,
 * so a workflow's `LD_PRELOAD: ./x.so` would load repository code on the host:
 * these never leave the planner or the runner.
 */
const HOST_LOADER_VARIABLES =
  /^(LD_\w*|GLIBC_TUNABLES|GCONV_PATH|GETCONF_DIR|HOSTALIASES|LOCALDOMAIN|LOCPATH|MALLOC_\w*|NIS_PATH|NLSPATH|RESOLV_HOST_CONF|RES_OPTIONS|TZDIR)$/;

export function isHostUnsafeVariable(name: string): boolean {
  return HOST_LOADER_VARIABLES.test(name);
}

/**
 * Why a variable cannot be given to a sandboxed command, or null when it can:
 * a loader variable (above), or one the sandbox's own policy refuses (names
 * and values shaped like credentials, invalid names). The policy is asked,
 * not copied, so the two cannot drift apart.
 */
export function refusedVariable(name: string, value: string): string | null {
  if (isHostUnsafeVariable(name)) return "the sandbox would also give it to the host's bubblewrap process";
  try {
    buildSandboxEnv("/", { [name]: value });
    return null;
  } catch (error) {
    if (error instanceof PatchwrightError && error.code === "policy_violation") return "the sandbox refuses credentials and invalid names";
    throw error;
  }
}

/** `env` without the variables `refusedVariable` refuses. */
export function withoutRefusedVariables(env: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([name, value]) => refusedVariable(name, value) === null));
}
