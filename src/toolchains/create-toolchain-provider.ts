/**
 * The worker's one way to toolchains: Node, npm, pnpm, Yarn and Bun from the
 * npm registry into the host cache (`toolchain-cache.ts`), Python from the
 * host's interpreters copied into the same cache (`python-provision.ts`).
 * Created once per process; interpreters are looked for once.
 */
import { createToolchainCache, type ToolchainCache } from "./toolchain-cache.ts";
import { findPythonInterpreters, type PythonInterpreter } from "./python-interpreters.ts";
import { provisionPython } from "./python-provision.ts";
import type { MissingTool, ProvisionedTool, ToolRequest } from "./types.ts";

export interface ProvidedToolchains {
  readonly tools: readonly ProvisionedTool[];
  readonly missing: readonly MissingTool[];
  readonly notes: readonly string[];
}

export interface ToolchainProvider {
  /**
   * Provides each request, from the cache when it holds it. `host` is what the
   * sandbox has of its own (a request it satisfies needs nothing). Never
   * rejects but when `signal` aborts: what cannot be provided is `missing`.
   */
  provide(requests: readonly ToolRequest[], host: { readonly node?: string | undefined }, signal?: AbortSignal): Promise<ProvidedToolchains>;
}

export interface ToolchainProviderOptions {
  /** The cache directory (PATCHWRIGHT_TOOLCHAIN_DIR). */
  readonly root: string;
  /** PATCHWRIGHT_NPM_REGISTRY. */
  readonly npmRegistry: string;
  /** PATCHWRIGHT_PYTHON_DIRS. */
  readonly pythonDirs?: readonly string[];
  readonly fetch?: typeof fetch;
}

export function createToolchainProvider(options: ToolchainProviderOptions): ToolchainProvider {
  const caches = new Map<string, ToolchainCache>();
  let interpreters: Promise<PythonInterpreter[]> | undefined;
  const cacheFor = (node: string | undefined): ToolchainCache => {
    const key = node ?? "";
    let cache = caches.get(key);
    if (cache === undefined) {
      cache = createToolchainCache({ root: options.root, registryUrl: options.npmRegistry, ...(options.fetch ? { fetch: options.fetch } : {}), ...(node ? { host: { node } } : {}) });
      caches.set(key, cache);
    }
    return cache;
  };
  return {
    async provide(requests, host, signal) {
      const python = requests.filter((r) => r.tool === "python");
      const provided = await cacheFor(host.node).provide(requests.filter((r) => r.tool !== "python"), signal);
      const tools = [...provided.tools];
      const missing = [...provided.missing];
      const notes = [...provided.notes];
      for (const request of python) {
        interpreters ??= findPythonInterpreters({ searchPath: process.env["PATH"] ?? "", extraDirs: options.pythonDirs ?? [] });
        const result = await provisionPython(request, { cacheRoot: options.root, interpreters: await interpreters });
        if (result.ok) tools.push(result.tool);
        else missing.push(result.missing);
      }
      return { tools, missing, notes };
    },
  };
}
