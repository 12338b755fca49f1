/**
 * Picks the version a spec means among a package's published versions, the
 * way setup actions do: an exact version, a prefix (`20`, `20.11`, `3.x`),
 * an npm range (`^9`, `>=18 <21`), `latest` (also `node`, `current`,
 * `stable`), and for Node.js `lts/*`, `lts/<codename>` and `lts/-n`.
 * Prereleases only when the spec names one.
 *
 * The registry knows nothing of LTS, so the rule is Node's release schedule:
 * an even major line becomes LTS when the next major is released (each
 * October), so it is LTS here once any higher major is published.
 */
import { compareVersions, isValidRange, parseVersion, satisfies, sortVersions } from "../advisories/semver.ts";

/** Node's LTS codenames (the `lts/<name>` aliases of nvm and setup-node). */
const LTS_CODENAMES: Readonly<Record<string, number>> = {
  argon: 4,
  boron: 6,
  carbon: 8,
  dubnium: 10,
  erbium: 12,
  fermium: 14,
  gallium: 16,
  hydrogen: 18,
  iron: 20,
  jod: 22,
  krypton: 24,
};

export interface VersionChoice {
  readonly versions: readonly string[];
  /** The package's `latest` dist-tag. */
  readonly latest?: string;
  /** Whether the `lts/…` aliases apply (Node.js). */
  readonly lts?: boolean;
}

/** The exact version `spec` resolves to, or null when none matches (or the spec is not understood). */
export function resolveVersionSpec(spec: string, choice: VersionChoice): string | null {
  const text = spec.trim().replace(/^v(?=\d)/, "");
  const stable = sortVersions(choice.versions).filter((v) => parseVersion(v)?.prerelease.length === 0);
  const lower = text.toLowerCase();
  if (["latest", "node", "current", "stable", "*", ""].includes(lower)) {
    return choice.latest !== undefined && choice.versions.includes(choice.latest) ? choice.latest : (stable.at(-1) ?? null);
  }
  if (lower.startsWith("lts/")) return choice.lts === true ? resolveLts(lower.slice(4), stable) : null;
  const exact = parseVersion(text);
  if (exact) return choice.versions.find((v) => parseVersion(v) !== null && compareVersions(parseVersion(v)!, exact) === 0) ?? null;
  if (!isValidRange(text)) return null;
  const candidates = /-/.test(text) ? sortVersions(choice.versions) : stable;
  return candidates.filter((v) => satisfies(v, text)).at(-1) ?? null;
}

/** Whether `spec` names one exact version (`20.11.1`, `v20.11.1`), so a cache hit needs no packument. */
export function isExactVersion(spec: string): boolean {
  return parseVersion(spec.trim()) !== null;
}

function resolveLts(alias: string, stable: readonly string[]): string | null {
  const majors = [...new Set(stable.map((v) => parseVersion(v)!.major))].sort((a, b) => a - b);
  const highest = majors.at(-1) ?? 0;
  const lts = majors.filter((m) => m >= 4 && m % 2 === 0 && m < highest);
  let major: number | undefined;
  if (alias === "*") major = lts.at(-1);
  else if (/^-\d+$/.test(alias)) major = lts.at(-1 + Number(alias));
  else major = LTS_CODENAMES[alias];
  if (major === undefined) return null;
  return stable.filter((v) => parseVersion(v)!.major === major).at(-1) ?? null;
}
