/**
 * The host's toolchain cache: provides the tools a job asks for (Node.js,
 * pnpm, Yarn, Bun) from the npm registry as read-only directories under
 * `root`, one per tool and version, each mounted into the sandbox at
 * /opt/patchwright/<tool>-<version>.
 *
 * - A hit downloads nothing: an exact version is looked up on disk without
 *   asking the registry; a prefix, range or alias needs the package's
 *   metadata, which is itself kept on disk for an hour (PACKUMENT_MAX_AGE_MS).
 * - A miss downloads the tarball, checks its sha512 integrity, unpacks it
 *   with a reader that refuses anything escaping the entry, seals it
 *   read-only and renames it into place (the first of concurrent builders
 *   wins; see cache-entry.ts).
 * - A damaged entry (no marker, a foreign marker, a missing binary) is
 *   removed and provided again.
 * - A Node.js the sandbox already has (`host.node`) is not downloaded.
 * - Every Node.js provided comes with an npm that runs on it (its own entry,
 *   returned right after it): the `npm` request's pinned version if there is
 *   one, else the newest whose `engines.node` admits it. With the sandbox's
 *   own Node.js, its own npm is used and an `npm` request is only noted.
 * - Whatever cannot be provided becomes a MissingTool with advice; provide()
 *   only rejects when aborted.
 */
import { readFileSync } from "node:fs";
import { chmod, lstat, mkdir, readFile, realpath, writeFile } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { checkEntry, discardEntry, installEntry, makeBuildDir, removeTree, sweepLeftovers } from "./cache-entry.ts";
import { admitsNode, chooseNpmVersion } from "./choose-npm-version.ts";
import { downloadTarball, sha512Digests } from "./download-tarball.ts";
import { extractTarball, UnsafeTarball } from "./extract-tarball.ts";
import { fetchPackument, type PackageManifest, type Packument } from "./fetch-packument.ts";
import { isExactVersion, resolveVersionSpec } from "./resolve-version-spec.ts";
import { sourceFor, type ToolSource } from "./toolchain-sources.ts";
import { retryingFetch } from "./retrying-fetch.ts";
import { ADVICE_OPERATOR, ADVICE_REPOSITORY, ToolUnavailable } from "./tool-unavailable.ts";
import type { MissingTool, ProvisionedTool, ToolRequest } from "./types.ts";

/** Where entries appear inside the sandbox. */
export const SANDBOX_TOOLCHAINS_DIR = "/opt/patchwright";
/** Builds and trash older than this were left by a crashed process. */
const LEFTOVER_AGE_MS = 24 * 60 * 60 * 1000;

export interface ToolchainCacheOptions {
  /** The cache directory on the host (created 0755 if missing). */
  readonly root: string;
  /** The npm registry, e.g. https://registry.npmjs.org (PATCHWRIGHT_NPM_REGISTRY). No credentials are sent. */
  readonly registryUrl: string;
  readonly fetch?: typeof fetch;
  /** Waits between retries of a registry request (default 0.5 s, 2 s, 5 s); `[]` never retries. */
  readonly retryDelaysMs?: readonly number[];
  /** The sandbox's own tools: a request they satisfy needs no download. */
  readonly host?: { readonly node?: string };
}

export interface Provided {
  readonly tools: ProvisionedTool[];
  readonly missing: MissingTool[];
  readonly notes: string[];
}

export interface ToolchainCache {
  /**
   * Provides each request (one per tool), and npm with each Node.js; the
   * tools come node first, then npm, then the rest (their PATH order). Never
   * rejects except when `signal` aborts.
   */
  provide(requests: readonly ToolRequest[], signal?: AbortSignal): Promise<Provided>;
}

const ALIAS = /^(latest|node|current|stable|lts\/.*)$/i;

export function createToolchainCache(options: ToolchainCacheOptions): ToolchainCache {
  // Registry requests that can succeed on retry are retried (retrying-fetch.ts).
  const fetchImpl = retryingFetch(options.fetch ?? fetch, options.retryDelaysMs);
  const hostNode = options.host?.node?.trim().replace(/^v(?=\d)/, "");
  const avx2 = cpuHasAvx2();
  /** Builds under way in this process, by entry name: one download per entry. */
  const building = new Map<string, Promise<{ dir: string; downloaded: boolean }>>();
  let swept = false;

  async function provideOne(request: ToolRequest, root: string, notes: string[], signal: AbortSignal | undefined): Promise<ProvisionedTool | null> {
    const started = performance.now();
    if (request.tool === "python") {
      notes.push(`python ${request.spec} is provided by the Python toolchain, not the npm cache.`);
      return null;
    }
    const source = sourceFor(request, { arch: process.arch, avx2 });
    const spec = request.spec.trim().replace(/^v(?=\d)/, "");
    if (request.tool === "node" && hostNode !== undefined && !ALIAS.test(spec) && resolveVersionSpec(spec, { versions: [hostNode] }) !== null) {
      notes.push(`node ${spec} (${request.source}): the sandbox's own Node.js ${hostNode} satisfies it; nothing downloaded.`);
      return null;
    }
    const done = (version: string, dir: string, cached: boolean): ProvisionedTool => ({
      tool: request.tool,
      version,
      hostDir: dir,
      sandboxDir: path.posix.join(SANDBOX_TOOLCHAINS_DIR, path.basename(dir)),
      binDirs: ["bin"],
      ...(source.env === undefined ? {} : { env: source.env }),
      cached,
      durationMs: Math.round(performance.now() - started),
    });
    if (isExactVersion(spec)) {
      const dir = path.join(root, source.entryName(spec));
      if ((await checkEntry(dir, { tool: request.tool, version: spec })).ok) return done(spec, dir, true);
    }
    const packuments = { root, registryUrl: options.registryUrl, fetch: fetchImpl, now: Date.now, notes, ...(signal ? { signal } : {}) };
    const packument = await fetchPackument(source.versionsPackage, packuments);
    const version = resolveVersionSpec(spec, { versions: packument.versions, lts: source.lts, ...latestOf(packument) });
    if (version === null) {
      throw new ToolUnavailable(`No published ${request.tool} (${source.versionsPackage}) matches "${request.spec}" from ${request.source}.`, ADVICE_REPOSITORY);
    }
    if (request.tool === "node" && hostNode !== undefined && ALIAS.test(spec) && version.split(".")[0] === hostNode.split(".")[0]) {
      notes.push(`node ${spec} (${request.source}) is ${version}; the sandbox's own Node.js ${hostNode} is the same major line, so it is used.`);
      return null;
    }
    const manifest = packument.manifest(version) ?? unavailable(`The registry's entry for ${source.versionsPackage}@${version} is malformed.`);
    const tarballPackage = source.tarballPackage(manifest);
    const tarballManifest =
      tarballPackage === source.versionsPackage
        ? manifest
        : ((await fetchPackument(tarballPackage, packuments)).manifest(version) ?? unavailable(`${tarballPackage}@${version} is not on the registry.`));
    const dir = path.join(root, source.entryName(version));
    const check = await checkEntry(dir, { tool: request.tool, version, ...integrityOf(tarballManifest) });
    if (check.ok) return done(version, dir, true);
    if (await lstat(dir).then(() => true, () => false)) {
      notes.push(`The cached ${path.basename(dir)} was damaged (${check.why}); it is provided again.`);
      await discardEntry(root, dir);
    }
    let build = building.get(dir);
    if (!build) {
      build = buildEntry({ root, dir, version, request, source, manifest, tarballPackage, tarballManifest, signal }).finally(() => building.delete(dir));
      building.set(dir, build);
    }
    const built = await build;
    const tool = done(version, built.dir, false);
    notes.push(`${request.tool} ${version} (${request.source}) downloaded from ${tarballPackage} in ${tool.durationMs} ms.`);
    return tool;
  }

  async function buildEntry(input: {
    root: string;
    dir: string;
    version: string;
    request: ToolRequest;
    source: ToolSource;
    manifest: PackageManifest;
    tarballPackage: string;
    tarballManifest: PackageManifest;
    signal: AbortSignal | undefined;
  }): Promise<{ dir: string; downloaded: boolean }> {
    const { root, dir, version, source } = input;
    const label = `${input.tarballPackage}@${version}`;
    const work = await makeBuildDir(root, path.basename(dir));
    try {
      const tarball = path.join(work, "package.tgz");
      await downloadTarball({
        url: input.tarballManifest.dist.tarball,
        integrity: input.tarballManifest.dist.integrity,
        file: tarball,
        label,
        fetch: fetchImpl,
        ...(input.signal ? { signal: input.signal } : {}),
      });
      const entry = path.join(work, "entry");
      const into = path.join(entry, source.into);
      await mkdir(into, { recursive: true, mode: 0o755 });
      await chmod(entry, 0o755);
      try {
        await extractTarball(tarball, into);
      } catch (error) {
        if (error instanceof UnsafeTarball) throw new ToolUnavailable(`The tarball of ${label} was refused: ${error.message}.`, ADVICE_OPERATOR);
        throw error;
      }
      const layout = source.layout(version, input.manifest);
      for (const [file, contents] of Object.entries(layout.files)) {
        const target = path.join(entry, file);
        await mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
        await writeFile(target, contents, { mode: 0o555 });
        await chmod(target, 0o555);
      }
      for (const file of layout.required) {
        if (!(await lstat(path.join(entry, file)).then(() => true, () => false))) {
          throw new ToolUnavailable(`The tarball of ${label} has no ${file}.`, ADVICE_OPERATOR);
        }
      }
      const integrity = `sha512-${sha512Digests(input.tarballManifest.dist.integrity)[0] ?? ""}`;
      const marker = { tool: input.request.tool, version, package: input.tarballPackage, integrity, files: layout.required };
      const won = await installEntry(entry, dir, marker);
      if (!won && !(await checkEntry(dir, { tool: input.request.tool, version })).ok) {
        throw new ToolUnavailable(`Another process left a damaged ${path.basename(dir)} in the toolchain cache.`, ADVICE_OPERATOR);
      }
      return { dir, downloaded: won };
    } finally {
      await removeTree(work);
    }
  }

  /**
   * The npm for a provided Node.js: `request`'s exact version when pinned,
   * else the newest whose `engines.node` admits it (that needs npm's
   * packument, kept on disk for an hour like any other).
   */
  async function provideNpm(request: ToolRequest, node: ProvisionedTool, root: string, notes: string[], signal: AbortSignal | undefined): Promise<ProvisionedTool | null> {
    let spec = request.spec;
    if (!isExactVersion(spec)) {
      const packuments = { root, registryUrl: options.registryUrl, fetch: fetchImpl, now: Date.now, notes, ...(signal ? { signal } : {}) };
      const chosen = chooseNpmVersion(await fetchPackument("npm", packuments), node.version);
      if (chosen === null) throw new ToolUnavailable(`No published npm declares support for Node.js ${node.version} (engines.node).`, ADVICE_REPOSITORY);
      spec = chosen;
    }
    const tool = await provideOne({ ...request, spec }, root, notes, signal);
    if (tool && !(await npmAdmits(tool.hostDir, node.version))) {
      notes.push(`npm ${tool.version} (${request.source}) does not declare support for Node.js ${node.version} (engines.node); it is provided as pinned and may refuse to run.`);
    }
    return tool;
  }

  return {
    async provide(requests, signal) {
      const notes: string[] = [];
      const tools: ProvisionedTool[] = [];
      const missing: MissingTool[] = [];
      let root: string;
      try {
        await mkdir(options.root, { recursive: true, mode: 0o755 });
        root = await realpath(options.root);
        if (!swept) {
          swept = true;
          await sweepLeftovers(root, Date.now(), LEFTOVER_AGE_MS);
        }
      } catch (error) {
        const reason = `The toolchain cache ${options.root} cannot be used (${(error as Error).message}).`;
        return { tools, missing: requests.map((request) => ({ request, reason, advice: ADVICE_OPERATOR })), notes };
      }
      const attempt = async (request: ToolRequest, provideIt: () => Promise<ProvisionedTool | null>): Promise<ProvisionedTool | null> => {
        signal?.throwIfAborted();
        try {
          const tool = await provideIt();
          if (tool && !tools.some((t) => t.hostDir === tool.hostDir && t.tool === "npm")) tools.push(tool);
          return tool;
        } catch (error) {
          signal?.throwIfAborted();
          if (error instanceof ToolUnavailable) missing.push({ request, reason: error.message, advice: error.advice });
          else missing.push({ request, reason: `Providing ${request.tool} ${request.spec} failed: ${(error as Error).message}.`, advice: ADVICE_OPERATOR });
          return null;
        }
      };
      const npmPin = requests.find((r) => r.tool === "npm");
      for (const request of requests) {
        if (request.tool === "npm") continue;
        const tool = await attempt(request, () => provideOne(request, root, notes, signal));
        if (tool?.tool !== "node") continue;
        const npm: ToolRequest = npmPin ?? { tool: "npm", spec: "*", source: `the newest npm whose engines.node admits Node.js ${tool.version}` };
        await attempt(npm, () => provideNpm(npm, tool, root, notes, signal));
      }
      if (npmPin && !tools.some((t) => t.tool === "node")) {
        notes.push(`npm ${npmPin.spec} (${npmPin.source}) is not provided: no Node.js was provided, so the sandbox's own npm runs.`);
      }
      const rank = (tool: ProvisionedTool): number => (tool.tool === "node" ? 0 : tool.tool === "npm" ? 1 : 2);
      return { tools: tools.sort((a, b) => rank(a) - rank(b)), missing, notes };
    },
  };
}

/** Whether the npm in a cache entry declares support for `nodeVersion`; read from its package.json, so no network. */
async function npmAdmits(entry: string, nodeVersion: string): Promise<boolean> {
  try {
    const pkg = JSON.parse(await readFile(path.join(entry, "package", "package.json"), "utf8")) as { engines?: Record<string, unknown> };
    return admitsNode(pkg, nodeVersion);
  } catch {
    return false;
  }
}

function unavailable(reason: string): never {
  throw new ToolUnavailable(reason, ADVICE_OPERATOR);
}

function latestOf(packument: Packument): { latest?: string } {
  const latest = packument.distTags["latest"];
  return latest === undefined ? {} : { latest };
}

function integrityOf(manifest: PackageManifest): { integrity?: string } {
  const digests = sha512Digests(manifest.dist.integrity);
  return digests.length === 0 ? {} : { integrity: digests.map((d) => `sha512-${d}`).join(" ") };
}

/** Bun's default build needs AVX2; without it (or without /proc) the baseline build is used. */
function cpuHasAvx2(): boolean {
  try {
    return /\bavx2\b/.test(readFileSync("/proc/cpuinfo", "utf8"));
  } catch {
    return false;
  }
}
