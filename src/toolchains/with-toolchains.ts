/**
 * Puts a job's toolchains in front of every command of a sandbox: each cache
 * entry is mounted read-only under /opt/patchwright and its bin directories go
 * first on PATH, ahead of the system's. Without isolation nothing can be
 * mounted, so the host paths go on PATH instead.
 */
import path from "node:path";
import type { ExtraBind } from "../workspace/sandbox-extra-binds.ts";
import { SANDBOX_PATH } from "../workspace/sandbox-env.ts";
import type { Sandbox } from "../workspace/types.ts";
import type { ToolchainSet } from "./types.ts";

export function withToolchains(sandbox: Sandbox, set: ToolchainSet): Sandbox {
  const onHost = sandbox.isolation === "host";
  const entries = [
    ...set.tools.map((tool) => ({ hostDir: tool.hostDir, sandboxDir: tool.sandboxDir, binDirs: tool.binDirs, writable: false })),
    ...(set.jobDirs ?? []).map((dir) => ({ ...dir, writable: true })),
  ];
  if (entries.length === 0 && set.env === undefined && (set.setupHosts ?? []).length === 0) return sandbox;
  const binds: ExtraBind[] = onHost ? [] : entries.map((e) => ({ hostPath: e.hostDir, sandboxPath: e.sandboxDir, writable: e.writable }));
  // The virtualenv (a job dir) wins over the interpreter it was made from.
  const ordered = [...entries.filter((e) => e.writable), ...entries.filter((e) => !e.writable)];
  const pathDirs = ordered.flatMap((e) => e.binDirs.map((bin) => path.posix.join(onHost ? e.hostDir : e.sandboxDir, bin)));
  const toolEnv = Object.assign({}, ...set.tools.map((tool) => tool.env ?? {}), set.env ?? {}) as Record<string, string>;
  const hostPaths = onHost ? Object.fromEntries(entries.map((e) => [e.sandboxDir, e.hostDir])) : {};
  return {
    ...sandbox,
    run: (command, options = {}) => {
      const env = { ...mapPaths(toolEnv, hostPaths), ...options.env, PATH: orderPath(options.env?.["PATH"], pathDirs) };
      const allowedHosts = [...(options.allowedHosts ?? []), ...(set.setupHosts ?? [])];
      const publicHosts = [...(options.publicHosts ?? []), ...(set.repositoryHosts ?? [])];
      return sandbox.run(command, {
        ...options,
        env,
        binds: [...(options.binds ?? []), ...binds],
        ...(allowedHosts.length > 0 ? { allowedHosts } : {}),
        ...(publicHosts.length > 0 ? { publicHosts } : {}),
      });
    },
  };
}

/**
 * The tools go first, ahead of the system's directories; but directories a
 * step added itself (through `$GITHUB_PATH`, as a runner does after a setup
 * action) go ahead of the tools, as they would in CI.
 */
function orderPath(stepPath: string | undefined, toolDirs: readonly string[]): string {
  const system = SANDBOX_PATH.split(":");
  const dirs = (stepPath ?? SANDBOX_PATH).split(":").filter((dir) => dir !== "" && !toolDirs.includes(dir));
  const added = dirs.filter((dir) => !system.includes(dir));
  const rest = dirs.filter((dir) => system.includes(dir));
  return [...added, ...toolDirs, ...(rest.length > 0 ? rest : system)].join(":");
}

/** Values naming a sandbox directory name the host directory instead (no isolation). */
function mapPaths(env: Record<string, string>, hostPaths: Record<string, string>): Record<string, string> {
  const pairs = Object.entries(hostPaths);
  if (pairs.length === 0) return env;
  return Object.fromEntries(
    Object.entries(env).map(([key, value]) => [key, pairs.reduce((v, [from, to]) => v.split(from).join(to), value)]),
  );
}
