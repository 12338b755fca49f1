import { isVulnerable, type Vulnerability } from "../choose-version.ts";
import { compareVersions, parseVersion, satisfies } from "../semver.ts";
import type { Inventory, LockEntry } from "./read-lockfile.ts";

/** Installed copies of `name` whose version is vulnerable. */
export function vulnerableCopies(inventory: Inventory, name: string, vulnerability: Vulnerability): LockEntry[] {
  return inventory.entries.filter((e) => e.name === name && isVulnerable(e.version, vulnerability));
}

/**
 * The packages that pull in `name` at `version`: their requirement admits it.
 * (npm and yarn record ranges, pnpm the resolved version: both are tested.)
 */
export function dependentsOf(inventory: Inventory, name: string, version: string): LockEntry[] {
  return inventory.entries.filter((e) => {
    const range = e.dependencies[name];
    return range !== undefined && (range === version || satisfies(version, range));
  });
}

/** Published releases of a package that a range admits. */
function admitted(published: readonly string[], range: string): string[] {
  return published.filter((v) => parseVersion(v)?.prerelease.length === 0 && satisfies(v, range));
}

/**
 * Whether re-resolving within today's requirements can cure every copy: each
 * dependent's range admits at least one safe release (the package manager then
 * takes the newest it admits).
 */
export function refreshCanCure(ranges: readonly string[], published: readonly string[], vulnerability: Vulnerability): boolean {
  return ranges.length > 0 && ranges.every((range) => admitted(published, range).some((v) => !isVulnerable(v, vulnerability)));
}

/**
 * The smallest release of a parent, above its current version and in its
 * current major, whose requirement of `name` admits only safe releases (or
 * that no longer requires it). Null when there is none.
 */
export function pickParentVersion(args: {
  current: string;
  candidates: readonly { version: string; dependencies: Readonly<Record<string, string>> }[];
  name: string;
  published: readonly string[];
  vulnerability: Vulnerability;
}): { version: string; requirement: string | null } | null {
  const from = parseVersion(args.current);
  if (!from) return null;
  const sorted = args.candidates
    .map((c) => ({ ...c, v: parseVersion(c.version) }))
    .filter((c) => c.v !== null && c.v.prerelease.length === 0 && c.v.major === from.major && compareVersions(c.v, from) > 0)
    .sort((a, b) => compareVersions(a.v!, b.v!));
  for (const c of sorted) {
    const requirement = c.dependencies[args.name];
    if (requirement === undefined) return { version: c.version, requirement: null };
    const versions = admitted(args.published, requirement);
    if (versions.length > 0 && versions.every((v) => !isVulnerable(v, args.vulnerability))) return { version: c.version, requirement };
  }
  return null;
}
