import { parse as parseYaml } from "yaml";

/** One installed package as a lockfile records it. */
export interface LockEntry {
  readonly name: string;
  readonly version: string;
  /** What it requires: name → range (npm, yarn) or resolved version (pnpm). */
  readonly dependencies: Readonly<Record<string, string>>;
}

/** A lockfile reduced to what the advisory job compares: every installed package and the root's declared specs. */
export interface Inventory {
  readonly entries: readonly LockEntry[];
  /** The root project's dependency specs as the lockfile records them (npm only; empty otherwise). */
  readonly root: Readonly<Record<string, string>>;
}

export type LockfileKind = "npm" | "pnpm" | "yarn-classic" | "yarn-berry";

/** Parses a lockfile's text. Throws an Error whose message says what is wrong. */
export function readLockfile(kind: LockfileKind, text: string): Inventory {
  switch (kind) {
    case "npm":
      return readNpm(text);
    case "pnpm":
      return readPnpm(text);
    case "yarn-classic":
      return readYarnClassic(text);
    case "yarn-berry":
      return readYarnBerry(text);
  }
}

interface NpmEntry {
  name?: string;
  version?: string;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** `package-lock.json` / `npm-shrinkwrap.json`, lockfileVersion 2 or 3 (the `packages` map). */
function readNpm(text: string): Inventory {
  const lock = JSON.parse(text) as { lockfileVersion?: number; packages?: Record<string, NpmEntry> };
  if (!lock.packages) {
    throw new Error(
      `lockfileVersion ${lock.lockfileVersion ?? "?"} (npm 6) has no \`packages\` map: regenerate the lockfile with npm 7 or later (\`npm install --package-lock-only\`) and commit it, then reopen the alert`,
    );
  }
  const entries: LockEntry[] = [];
  let root: Record<string, string> = {};
  for (const [key, entry] of Object.entries(lock.packages)) {
    if (key === "") {
      root = { ...entry.peerDependencies, ...entry.optionalDependencies, ...entry.devDependencies, ...entry.dependencies };
      continue;
    }
    // Workspace links and their sources are the repository's own code, not installed packages.
    if (entry.link || !key.includes("node_modules/")) continue;
    const name = entry.name ?? key.slice(key.lastIndexOf("node_modules/") + "node_modules/".length);
    entries.push({ name, version: entry.version ?? "", dependencies: { ...entry.peerDependencies, ...entry.optionalDependencies, ...entry.dependencies } });
  }
  return { entries, root };
}

/** `pnpm-lock.yaml`, lockfile versions 5 (`/a/1.0.0`), 6 (`/a@1.0.0`) and 9 (`a@1.0.0` + `snapshots`). */
function readPnpm(text: string): Inventory {
  const lock = (parseYaml(text) ?? {}) as {
    packages?: Record<string, { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }>;
    snapshots?: Record<string, { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }>;
  };
  const byKey = new Map<string, LockEntry>();
  for (const [key, value] of [...Object.entries(lock.packages ?? {}), ...Object.entries(lock.snapshots ?? {})]) {
    const id = pnpmId(key);
    if (!id) continue;
    const deps = Object.fromEntries(
      Object.entries({ ...value?.optionalDependencies, ...value?.dependencies }).map(([n, v]) => [n, String(v).replace(/\(.*$/, "")]),
    );
    const seen = byKey.get(`${id.name}@${id.version}`);
    byKey.set(`${id.name}@${id.version}`, { ...id, dependencies: { ...seen?.dependencies, ...deps } });
  }
  return { entries: [...byKey.values()], root: {} };
}

function pnpmId(key: string): { name: string; version: string } | null {
  // Lockfile v5: `/name/1.0.0` or `/@scope/name/1.0.0_peer@2.0.0`.
  const v5 = /^\/((?:@[^/]+\/)?[^/@]+)\/(\d[^_/]*)(?:_.*)?$/.exec(key);
  if (v5) return { name: v5[1]!, version: v5[2]! };
  const bare = key.replace(/^\//, "").replace(/\(.*$/, "");
  const at = bare.lastIndexOf("@");
  return at > 0 ? { name: bare.slice(0, at), version: bare.slice(at + 1) } : null;
}

/** `yarn.lock` of yarn 1: blocks keyed by `name@range, name@range:`. */
function readYarnClassic(text: string): Inventory {
  const entries: LockEntry[] = [];
  let current: { name: string; version: string; dependencies: Record<string, string> } | null = null;
  let inDeps = false;
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || line.trim() === "") continue;
    if (!line.startsWith(" ")) {
      if (current) entries.push(current);
      const first = line.replace(/:$/, "").split(",")[0]!.trim().replace(/^"|"$/g, "");
      current = { name: first.slice(0, first.lastIndexOf("@") > 0 ? first.lastIndexOf("@") : first.length), version: "", dependencies: {} };
      inDeps = false;
      continue;
    }
    if (!current) continue;
    const m = /^ {2}(\S+)(?: (.*))?$/.exec(line);
    if (m) {
      inDeps = m[1] === "dependencies:" || m[1] === "optionalDependencies:";
      if (m[1] === "version" && m[2]) current.version = m[2].replace(/^"|"$/g, "");
      continue;
    }
    const dep = /^ {4}("?)(.+?)\1 "?([^"]*)"?$/.exec(line);
    if (inDeps && dep) current.dependencies[dep[2]!] = dep[3]!;
  }
  if (current) entries.push(current);
  return { entries: entries.filter((e) => e.version !== ""), root: {} };
}

/** `yarn.lock` of yarn 2+: YAML keyed by `name@npm:range, …`. */
function readYarnBerry(text: string): Inventory {
  const lock = (parseYaml(text) ?? {}) as Record<string, { version?: string; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }>;
  const entries: LockEntry[] = [];
  for (const [key, value] of Object.entries(lock)) {
    if (key === "__metadata" || !value?.version) continue;
    const first = key.split(",")[0]!.trim();
    const at = first.indexOf("@", 1);
    const name = at > 0 ? first.slice(0, at) : first;
    if (first.slice(at + 1).startsWith("workspace:")) continue;
    const deps = Object.fromEntries(Object.entries({ ...value.optionalDependencies, ...value.dependencies }).map(([n, v]) => [n, String(v).replace(/^npm:/, "")]));
    entries.push({ name, version: value.version, dependencies: deps });
  }
  return { entries, root: {} };
}
