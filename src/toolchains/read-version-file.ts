/**
 * Reads a version out of the files setup actions and version managers read:
 * `.nvmrc`, `.node-version`, `.bun-version`, `.python-version` (first
 * meaningful line), asdf's `.tool-versions`, `package.json` (Volta, engines,
 * `packageManager`) and `pyproject.toml` (`requires-python`). Pure: the
 * caller reads the file.
 */
import path from "node:path";

/** The tools whose versions live in these files, by their asdf plugin names. */
type FileTool = "node" | "bun" | "python";

const ASDF_NAMES: Readonly<Record<FileTool, readonly string[]>> = {
  node: ["nodejs", "node"],
  bun: ["bun"],
  python: ["python"],
};

/** A version read from a file, with the field it came from (for `source`). */
export interface FileVersion {
  readonly spec: string;
  /** `volta.node`, `engines.node`, `requires-python`; absent for a plain version file. */
  readonly field?: string;
}

/**
 * The version `file` asks for, as `actions/setup-*`'s `*-version-file` input
 * reads it; null when it names none.
 * @param file the path as written (only its base name picks the format).
 */
export function readVersionFile(tool: FileTool, file: string, contents: string): FileVersion | null {
  const base = path.posix.basename(file);
  if (base === "package.json") return fromPackageJson(tool, contents);
  if (base === "pyproject.toml") return tool === "python" ? fromPyproject(contents) : null;
  if (base === ".tool-versions") return fromToolVersions(tool, contents);
  return fromPlainFile(contents);
}

/** The first line that is neither blank nor a comment, without a `v` prefix. */
function fromPlainFile(contents: string): FileVersion | null {
  for (const raw of contents.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, "").trim();
    if (line === "") continue;
    // `node 20.1.0` and `nodejs v20` also occur in .nvmrc (setup-node accepts them).
    const m = /^(?:node(?:js)?\s+)?v?(\S+)$/.exec(line);
    return m ? { spec: m[1]! } : null;
  }
  return null;
}

function fromToolVersions(tool: FileTool, contents: string): FileVersion | null {
  for (const raw of contents.split(/\r?\n/)) {
    const [name, version] = raw.replace(/#.*$/, "").trim().split(/\s+/);
    if (name !== undefined && version !== undefined && ASDF_NAMES[tool].includes(name)) return { spec: version.replace(/^v(?=\d)/, "") };
  }
  return null;
}

/** package.json's fields for `tool`, in the order setup-node reads them (Volta first, then engines). */
function fromPackageJson(tool: FileTool, contents: string): FileVersion | null {
  const pkg = parsePackageJson(contents);
  if (!pkg) return null;
  if (tool === "node") {
    if (pkg.voltaNode) return { spec: pkg.voltaNode, field: "volta.node" };
    if (pkg.enginesNode) return { spec: pkg.enginesNode, field: "engines.node" };
  }
  if (tool === "bun") {
    const pinned = parsePackageManager(pkg.packageManager);
    if (pinned?.name === "bun") return { spec: pinned.version, field: "packageManager" };
    if (pkg.enginesBun) return { spec: pkg.enginesBun, field: "engines.bun" };
  }
  return null;
}

function fromPyproject(contents: string): FileVersion | null {
  let section = "";
  for (const raw of contents.split(/\r?\n/)) {
    const line = raw.trim();
    const header = /^\[([^\]]+)\]/.exec(line);
    if (header) {
      section = header[1]!.trim();
      continue;
    }
    const m = /^requires-python\s*=\s*(["'])(.+?)\1/.exec(line);
    if (m && section === "project") return { spec: m[2]!.trim(), field: "requires-python" };
  }
  return null;
}

/** What the resolver uses from a package.json; every field optional and a string. */
export interface PackageJsonFacts {
  readonly packageManager?: string;
  readonly voltaNode?: string;
  readonly enginesNode?: string;
  readonly enginesBun?: string;
}

/** The fields of a package.json that pick toolchains; null when it is not a JSON object. */
export function parsePackageJson(contents: string): PackageJsonFacts | null {
  let json: unknown;
  try {
    json = JSON.parse(contents);
  } catch {
    return null;
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return null;
  const record = json as Record<string, unknown>;
  const str = (value: unknown): string | undefined => (typeof value === "string" && value.trim() !== "" ? value.trim() : undefined);
  const field = (object: unknown, key: string): unknown =>
    typeof object === "object" && object !== null ? (object as Record<string, unknown>)[key] : undefined;
  const facts: Record<string, string> = {};
  const set = (key: keyof PackageJsonFacts, value: string | undefined): void => {
    if (value !== undefined) facts[key] = value;
  };
  set("packageManager", str(record["packageManager"]));
  set("voltaNode", str(field(record["volta"], "node")));
  set("enginesNode", str(field(record["engines"], "node")));
  set("enginesBun", str(field(record["engines"], "bun")));
  return facts;
}

/** `pnpm@9.1.0+sha512.abc` → `{ name: "pnpm", version: "9.1.0" }`; null when malformed. */
export function parsePackageManager(field: string | undefined): { name: string; version: string } | null {
  const m = /^(npm|pnpm|yarn|bun)@(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)(?:\+\S*)?$/.exec(field?.trim() ?? "");
  return m ? { name: m[1]!, version: m[2]! } : null;
}
