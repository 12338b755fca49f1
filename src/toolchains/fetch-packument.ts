/**
 * A package's metadata from the npm registry (the abbreviated "corgi"
 * document: versions, dist-tags, `dist`, `bin` and `engines`), validated
 * with zod and kept on disk under `<root>/.packuments/` for an hour: within
 * that hour a prefix or range resolves without the network. When the registry cannot be
 * reached an older copy is used rather than nothing.
 */
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { ADVICE_OPERATOR, ToolUnavailable } from "./tool-unavailable.ts";

/** How long a packument on disk answers without asking the registry. */
export const PACKUMENT_MAX_AGE_MS = 60 * 60 * 1000;
const TIMEOUT_MS = 60_000;
const MAX_BYTES = 64 * 1024 * 1024;

const manifestSchema = z.object({
  version: z.string(),
  /** `{ "pnpm": "bin/pnpm.cjs" }`; a string means one bin named after the package. */
  bin: z.union([z.record(z.string(), z.string()), z.string()]).optional(),
  /** `{ "node": "^18.17.0 || >=20.5.0" }`; anything malformed counts as absent. */
  engines: z.record(z.string(), z.unknown()).optional().catch(undefined),
  dist: z.object({
    tarball: z.url(),
    /** Subresource Integrity: `sha512-<base64>` (several, space-separated, may occur). */
    integrity: z.string().optional(),
  }),
});
const packumentSchema = z.object({
  name: z.string(),
  "dist-tags": z.record(z.string(), z.string()).default({}),
  versions: z.record(z.string(), z.unknown()),
});

export type PackageManifest = z.infer<typeof manifestSchema>;

export interface Packument {
  readonly name: string;
  readonly distTags: Readonly<Record<string, string>>;
  readonly versions: readonly string[];
  /** One version's manifest; null when it is missing or malformed. */
  manifest(version: string): PackageManifest | null;
}

export interface PackumentDeps {
  readonly root: string;
  readonly registryUrl: string;
  readonly fetch: typeof fetch;
  readonly now: () => number;
  readonly notes: string[];
  readonly signal?: AbortSignal;
}

export async function fetchPackument(name: string, deps: PackumentDeps): Promise<Packument> {
  const file = path.join(deps.root, ".packuments", `${name.replace("/", "__")}.json`);
  const onDisk = await stat(file).catch(() => null);
  if (onDisk && deps.now() - onDisk.mtimeMs < PACKUMENT_MAX_AGE_MS) {
    const cached = await readFile(file, "utf8").then(parse, () => null);
    if (cached) return cached;
  }
  let text: string;
  try {
    text = await download(name, deps);
  } catch (error) {
    const stale = onDisk ? await readFile(file, "utf8").then(parse, () => null) : null;
    if (stale && !(error instanceof ToolUnavailable && /not on the registry/.test(error.message))) {
      deps.notes.push(`The registry did not answer for ${name} (${(error as Error).message}); used its metadata cached ${new Date(onDisk!.mtimeMs).toISOString()}.`);
      return stale;
    }
    throw error;
  }
  const packument = parse(text);
  if (!packument) throw new ToolUnavailable(`The registry's metadata for ${name} is not a package document.`, ADVICE_OPERATOR);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  await writeFile(temporary, text, { mode: 0o644 });
  await rename(temporary, file);
  return packument;
}

async function download(name: string, deps: PackumentDeps): Promise<string> {
  const url = `${deps.registryUrl.replace(/\/+$/, "")}/${name.replace("/", "%2f")}`;
  const signal = deps.signal ? AbortSignal.any([deps.signal, AbortSignal.timeout(TIMEOUT_MS)]) : AbortSignal.timeout(TIMEOUT_MS);
  let response: Response;
  try {
    response = await deps.fetch(url, {
      headers: { accept: "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8" },
      signal,
    });
  } catch (error) {
    deps.signal?.throwIfAborted();
    throw new ToolUnavailable(`The npm registry at ${deps.registryUrl} could not be reached for ${name} (${(error as Error).message}).`, ADVICE_OPERATOR, { cause: error });
  }
  if (response.status === 404) throw new ToolUnavailable(`${name} is not on the registry ${deps.registryUrl}.`, ADVICE_OPERATOR);
  if (!response.ok) throw new ToolUnavailable(`The registry ${deps.registryUrl} answered ${response.status} for ${name}.`, ADVICE_OPERATOR);
  const length = Number(response.headers.get("content-length") ?? 0);
  if (length > MAX_BYTES) throw new ToolUnavailable(`The registry's metadata for ${name} is larger than ${MAX_BYTES} bytes.`, ADVICE_OPERATOR);
  return response.text();
}

function parse(text: string): Packument | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const result = packumentSchema.safeParse(json);
  if (!result.success) return null;
  const { name, versions } = result.data;
  return {
    name,
    distTags: result.data["dist-tags"],
    versions: Object.keys(versions),
    manifest(version) {
      const parsed = manifestSchema.safeParse(versions[version]);
      return parsed.success ? parsed.data : null;
    },
  };
}
