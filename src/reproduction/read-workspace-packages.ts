/**
 * The packages of a JavaScript monorepo: `workspaces` in package.json (npm,
 * Yarn, Bun) or `packages` in pnpm-workspace.yaml, each pattern a directory
 * or a `dir/*` / `dir/**` glob. Read on the host from the fresh checkout,
 * through `readRepoFile` (no symlink followed, nothing outside the checkout).
 */
import { lstat, readdir } from "node:fs/promises";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { resolveInJail } from "../security/path-jail.ts";
import { packageManagerOf, type PackageManager, type WorkspacePackage } from "./find-failed-package.ts";

export type { WorkspacePackage } from "./find-failed-package.ts";
import { readRepoFile } from "./read-repo-file.ts";


/** A monorepo of hundreds of packages is read no further than this. */
const MAX_PACKAGES = 500;

/** The workspace packages of the checkout at `root`; empty when it is not a monorepo. Never throws. */
export async function readWorkspacePackages(root: string): Promise<WorkspacePackage[]> {
  const patterns = await workspacePatterns(root);
  const include = patterns.filter((p) => !p.startsWith("!"));
  const exclude = new Set(patterns.filter((p) => p.startsWith("!")).flatMap((p) => [p.slice(1)]));
  const dirs = new Set<string>();
  for (const pattern of include) for (const dir of await expand(root, pattern)) if (!exclude.has(dir)) dirs.add(dir);
  const packages: WorkspacePackage[] = [];
  for (const dir of [...dirs].slice(0, MAX_PACKAGES)) {
    const manifest = parseJson(await readRepoFile(root, path.posix.join(dir, "package.json")));
    if (typeof manifest?.["name"] !== "string") continue;
    const scripts = manifest["scripts"];
    packages.push({ name: manifest["name"], dir, scripts: scripts && typeof scripts === "object" ? Object.keys(scripts) : [] });
  }
  return packages;
}

async function workspacePatterns(root: string): Promise<string[]> {
  const manifest = parseJson(await readRepoFile(root, "package.json"));
  const declared = manifest?.["workspaces"];
  const fromManifest = Array.isArray(declared) ? declared : (declared as { packages?: unknown } | undefined)?.packages;
  let fromPnpm: unknown;
  try {
    fromPnpm = (parseYaml((await readRepoFile(root, "pnpm-workspace.yaml")) ?? "") as { packages?: unknown } | null)?.packages;
  } catch {
    fromPnpm = undefined;
  }
  return [fromManifest, fromPnpm]
    .flatMap((list) => (Array.isArray(list) ? list : []))
    .filter((p): p is string => typeof p === "string")
    .map((p) => p.trim().replace(/^\.\//, "").replace(/\/+$/, ""))
    .filter((p) => p !== "" && !p.includes(".."));
}

/** `packages/*` → its subdirectories; `packages/**` → two levels; a plain path → itself. */
async function expand(root: string, pattern: string): Promise<string[]> {
  const negated = pattern.startsWith("!");
  const clean = negated ? pattern.slice(1) : pattern;
  const star = clean.indexOf("*");
  if (star === -1) return [clean];
  const base = clean.slice(0, star).replace(/\/+$/, "");
  const depth = clean.slice(star).startsWith("**") ? 2 : 1;
  return subdirectories(root, base === "" ? "." : base, depth);
}

async function subdirectories(root: string, dir: string, depth: number): Promise<string[]> {
  const jailed = await resolveInJail(root, dir);
  if (!jailed.ok || jailed.realRelative !== jailed.relative) return [];
  const entries = await readdir(jailed.absolute, { withFileTypes: true }).catch(() => []);
  const found: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const child = dir === "." ? entry.name : `${dir}/${entry.name}`;
    found.push(child);
    if (depth > 1) found.push(...(await subdirectories(root, child, depth - 1)));
  }
  return found;
}

function parseJson(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The package manager of the checkout at `root`: `packageManager` in package.json, else its lockfile; npm when neither says. */
export async function readPackageManager(root: string): Promise<PackageManager> {
  const manifest = parseJson(await readRepoFile(root, "package.json"));
  const present = new Set<string>();
  for (const file of ["pnpm-lock.yaml", "yarn.lock", "bun.lock", "bun.lockb"]) {
    const jailed = await resolveInJail(root, file);
    if (jailed.ok && jailed.realRelative === jailed.relative && (await lstat(jailed.absolute).catch(() => null))?.isFile()) present.add(file);
  }
  const declared = manifest?.["packageManager"];
  return packageManagerOf({ has: (file) => present.has(file), packageManager: typeof declared === "string" ? declared : undefined });
}
