/**
 * The toolchain versions repository commands actually get: asked inside the
 * sandbox (its PATH is the system's, not the worker's pinned Node).
 */
import type { Sandbox } from "../workspace/types.ts";
import type { LocalToolchain } from "./types.ts";

const PROBE_TIMEOUT_MS = 15_000;

/** `{ node: "20.19.0", python: "3.11.7" }`; a tool that is missing is absent. */
export async function probeToolchain(sandbox: Sandbox): Promise<LocalToolchain> {
  const [node, python] = await Promise.all([
    version(sandbox, "node --version"),
    version(sandbox, "python3 --version 2>&1 || python --version 2>&1"),
  ]);
  return { ...(node !== undefined ? { node } : {}), ...(python !== undefined ? { python } : {}) };
}

async function version(sandbox: Sandbox, command: string): Promise<string | undefined> {
  const result = await sandbox.run(command, { network: false, timeoutMs: PROBE_TIMEOUT_MS });
  if (result.exitCode !== 0) return undefined;
  return /(\d+\.\d+\.\d+)/.exec(result.output)?.[1];
}
