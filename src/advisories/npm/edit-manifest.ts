import { parseVersion, satisfies } from "../semver.ts";

/** The sections that install a package (peer-only dependencies are installed by someone else). */
export const INSTALL_SECTIONS = ["dependencies", "devDependencies", "optionalDependencies"] as const;
export type InstallSection = (typeof INSTALL_SECTIONS)[number];

export interface PackageJson {
  name?: string;
  packageManager?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  overrides?: Record<string, unknown>;
  resolutions?: Record<string, string>;
  pnpm?: { overrides?: Record<string, string> };
  [key: string]: unknown;
}

/** Where the project itself requires `name`, if it does. */
export function declaredSpec(pkg: PackageJson, name: string): { section: InstallSection; spec: string } | null {
  for (const section of INSTALL_SECTIONS) {
    const spec = pkg[section]?.[name];
    if (typeof spec === "string") return { section, spec };
  }
  return null;
}

/**
 * The spec to write for `version`, in the style of the old one: `^4.17.20` →
 * `^4.17.21`, `~1.2.0` → `~1.2.6`, `1.2.0` → `1.2.6`. A range written some
 * other way (`*`, `1.x`, `>=1 <3`) is kept when it admits the new version
 * (the lockfile pins it), else becomes `^version`.
 */
export function nextSpec(oldSpec: string, version: string): string {
  const m = /^(\^|~|=|>=)?v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/.exec(oldSpec.trim());
  if (m && parseVersion(m[2]!)) return `${m[1] === "=" ? "" : (m[1] ?? "")}${version}`;
  return satisfies(version, oldSpec) ? oldSpec : `^${version}`;
}

/**
 * Changes one dependency's spec in package.json's text and nothing else
 * (formatting, key order and other specs stay byte for byte).
 * @throws Error when the spec is not where `declaredSpec` found it.
 */
export function replaceSpec(text: string, section: InstallSection, name: string, spec: string): string {
  const open = new RegExp(`"${escape(section)}"\\s*:\\s*\\{`).exec(text);
  if (!open) throw new Error(`package.json has no "${section}" object`);
  const start = open.index + open[0].length;
  const end = closingBrace(text, start);
  const body = text.slice(start, end);
  const entry = new RegExp(`("${escape(name)}"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`).exec(body);
  if (!entry) throw new Error(`package.json's "${section}" has no "${name}"`);
  const updated = text.slice(0, start) + body.slice(0, entry.index) + `${entry[1]}${JSON.stringify(spec)}` + body.slice(entry.index + entry[0].length) + text.slice(end);
  const check = JSON.parse(updated) as PackageJson;
  if (check[section]?.[name] !== spec) throw new Error(`could not rewrite "${name}" in package.json's "${section}"`);
  return updated;
}

/** One override: `name` wherever `parent` requires it becomes `version`. */
export interface Override {
  readonly parent: string;
  readonly name: string;
  readonly version: string;
}

/**
 * Adds overrides in the package manager's own field: npm `overrides`
 * (`{ parent: { name: version } }`), pnpm `pnpm.overrides` (`parent>name`),
 * yarn `resolutions` (`**\/parent/name`). Existing entries are kept; the file
 * keeps its indentation and final newline.
 */
export function addOverrides(text: string, manager: "npm" | "pnpm" | "yarn", overrides: readonly Override[]): string {
  const pkg = JSON.parse(text) as PackageJson;
  for (const o of overrides) {
    if (manager === "npm") {
      const existing = pkg.overrides?.[o.parent];
      const scoped = typeof existing === "string" ? { ".": existing } : typeof existing === "object" && existing !== null ? existing : {};
      pkg.overrides = { ...pkg.overrides, [o.parent]: { ...scoped, [o.name]: o.version } };
    } else if (manager === "pnpm") {
      pkg.pnpm = { ...pkg.pnpm, overrides: { ...pkg.pnpm?.overrides, [`${o.parent}>${o.name}`]: o.version } };
    } else {
      pkg.resolutions = { ...pkg.resolutions, [`**/${o.parent}/${o.name}`]: o.version };
    }
  }
  const indent = /^([ \t]+)"/m.exec(text)?.[1] ?? "  ";
  return JSON.stringify(pkg, null, indent) + (text.endsWith("\n") ? "\n" : "");
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** Index of the `}` closing the object whose body starts at `from` (strings skipped). */
function closingBrace(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
    } else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i;
  }
  throw new Error("package.json is not valid JSON");
}
