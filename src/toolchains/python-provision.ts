/**
 * Provides the Python a job asks for from the host's interpreters (see
 * `python-interpreters.ts`): the newest one the spec accepts, as a cache
 * entry mounted at `/opt/patchwright/python-<version>` with `bin` on PATH.
 * A system interpreter (under /usr, visible in every sandbox) gets a small
 * entry of symlinks (`python`, `python3`, `python3.X`, what setup-python
 * provides); any other is copied into the cache once (`python-cache-copy.ts`).
 * Nothing is downloaded: PyPI hosts no interpreters, and python.org builds
 * are not relocatable.
 */
import { createHash } from "node:crypto";
import { chmod, mkdir, mkdtemp, realpath, rename, rm, stat, symlink, writeFile } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import path from "node:path";
import { COMPLETE_MARKER, copyPythonIntoCache } from "./python-cache-copy.ts";
import type { PythonInterpreter } from "./python-interpreters.ts";
import { formatVersion, parsePythonSpec } from "./python-version-spec.ts";
import type { MissingTool, ProvisionedTool, ToolRequest } from "./types.ts";

/** Where interpreters appear inside the sandbox: `/opt/patchwright/python-3.11.7`. */
export const SANDBOX_PYTHON_ROOT = "/opt/patchwright";

export interface ProvisionPythonOptions {
  /** The toolchain cache on the host (outside any workspace); entries are created under it. */
  readonly cacheRoot: string;
  /** The host's interpreters (`findPythonInterpreters`, once per worker). */
  readonly interpreters: readonly PythonInterpreter[];
}

export type PythonProvision =
  | { readonly ok: true; readonly tool: ProvisionedTool; readonly interpreter: PythonInterpreter }
  | { readonly ok: false; readonly missing: MissingTool };

const ADVICE =
  "Operator: install a matching CPython on the worker (Debian's python3.X with python3.X-venv, or a relocatable build such as pyenv's) " +
  "and list its directory in PATCHWRIGHT_PYTHON_DIRS (a bin directory, or pyenv's versions directory). " +
  "Maintainer: pin a python-version the worker has, or install one yourself in commands.setup of .github/patchwright.yml.";

export async function provisionPython(request: ToolRequest, options: ProvisionPythonOptions): Promise<PythonProvision> {
  const started = performance.now();
  const missing = (reason: string): PythonProvision => ({ ok: false, missing: { request, reason, advice: ADVICE } });
  const spec = parsePythonSpec(request.spec);
  if (!spec.ok) return missing(`Python ${request.spec} cannot be provided: ${spec.reason}.`);
  const matching = options.interpreters.filter((interpreter) => spec.accepts(interpreter.version));
  const have = [...new Set(options.interpreters.map((i) => formatVersion(i.version)))].join(", ") || "none";
  if (matching.length === 0) return missing(`No Python on this worker matches ${request.spec} (it has ${have}).`);
  const problems: string[] = [];
  for (const interpreter of matching) {
    const version = formatVersion(interpreter.version);
    if (interpreter.unusable !== undefined) {
      problems.push(`${version} at ${interpreter.executable}: ${interpreter.unusable}`);
      continue;
    }
    const entry = interpreter.system ? await systemShim(interpreter, options.cacheRoot) : await copyPythonIntoCache(interpreter, options.cacheRoot);
    if ("error" in entry) {
      problems.push(`${version} at ${interpreter.executable}: ${entry.error}`);
      continue;
    }
    return {
      ok: true,
      interpreter,
      tool: {
        tool: "python",
        version,
        hostDir: entry.hostDir,
        sandboxDir: `${SANDBOX_PYTHON_ROOT}/python-${version}`,
        binDirs: ["bin"],
        cached: entry.cached,
        durationMs: Math.round(performance.now() - started),
      },
    };
  }
  return missing(`No usable Python matches ${request.spec}: ${problems.join("; ")}.`);
}

/**
 * A directory of symlinks to a system interpreter: it is visible in the
 * sandbox already, but `python` may not exist (Debian has only `python3`).
 */
async function systemShim(interpreter: PythonInterpreter, cacheRoot: string): Promise<{ hostDir: string; cached: boolean }> {
  const version = formatVersion(interpreter.version);
  const tag = createHash("sha256").update(interpreter.executable).digest("hex").slice(0, 8);
  const finalDir = path.join(cacheRoot, `python-${version}-system-${tag}`);
  if ((await stat(path.join(finalDir, COMPLETE_MARKER)).catch(() => undefined)) !== undefined) return { hostDir: await realpath(finalDir), cached: true };
  await mkdir(cacheRoot, { recursive: true });
  const tmp = await mkdtemp(path.join(cacheRoot, `.python-${version}-`));
  try {
    await mkdir(path.join(tmp, "bin"), { mode: 0o755 });
    for (const alias of [`python3.${interpreter.version[1]}`, "python3", "python"]) await symlink(interpreter.executable, path.join(tmp, "bin", alias));
    await writeFile(path.join(tmp, COMPLETE_MARKER), `${JSON.stringify({ version, executable: interpreter.executable })}\n`, { mode: 0o644 });
    await chmod(tmp, 0o755);
    await rename(tmp, finalDir).catch(async (error: unknown) => {
      if ((await stat(path.join(finalDir, COMPLETE_MARKER)).catch(() => undefined)) === undefined) throw error;
      await rm(tmp, { recursive: true, force: true });
    });
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  return { hostDir: await realpath(finalDir), cached: false };
}
