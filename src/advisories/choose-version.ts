import { compareVersions, parseVersion, satisfies, sortVersions } from "./semver.ts";

/** What the advisory says is vulnerable, merged over every open alert of one package. */
export interface Vulnerability {
  /** GitHub ranges (`< 4.17.21`, `>= 1.0.0, < 1.2.6`); a version in any of them is vulnerable. */
  readonly ranges: readonly string[];
  /** The first patched versions GitHub names (one per range, when known). */
  readonly firstPatched: readonly string[];
}

export type VersionChoice =
  | { readonly kind: "safe"; readonly current: string }
  | {
      readonly kind: "upgrade";
      readonly current: string;
      readonly version: string;
      /** True when no release of the current major is safe. */
      readonly major: boolean;
      /** Why this version, as a sentence for the PR body. */
      readonly reason: string;
    }
  | { readonly kind: "none"; readonly current: string; readonly reason: string };

export function isVulnerable(version: string, vulnerability: Vulnerability): boolean {
  return vulnerability.ranges.some((range) => satisfies(version, range));
}

/**
 * The version to move `current` to: the smallest published release above it
 * that is outside every vulnerable range and in the same major; when the
 * major has none, the first patched version (a major upgrade, flagged), or
 * failing that the smallest safe release above it. Prereleases and
 * deprecated versions are never chosen. Pure.
 */
export function chooseVersion(args: {
  current: string;
  published: readonly string[];
  vulnerability: Vulnerability;
  /** Versions the registry marks deprecated. */
  deprecated?: ReadonlySet<string>;
  packageName: string;
}): VersionChoice {
  const { current, vulnerability } = args;
  const from = parseVersion(current);
  if (!from) return { kind: "none", current, reason: `the installed version \`${current}\` of ${args.packageName} is not a semantic version` };
  if (!isVulnerable(current, vulnerability)) return { kind: "safe", current };
  const ranges = vulnerability.ranges.map((r) => `\`${r}\``).join(" or ");
  const candidates = sortVersions(args.published).filter((text) => {
    const v = parseVersion(text)!;
    return v.prerelease.length === 0 && compareVersions(v, from) > 0 && !isVulnerable(text, vulnerability) && !args.deprecated?.has(text);
  });
  const sameMajor = candidates.find((text) => parseVersion(text)!.major === from.major);
  if (sameMajor) {
    return {
      kind: "upgrade",
      current,
      version: sameMajor,
      major: false,
      reason: `${sameMajor} is the smallest published release of ${args.packageName} outside the vulnerable range (${ranges}) in the current major (${from.major}.x), so the upgrade is as small as it can be.`,
    };
  }
  const patched = sortVersions(vulnerability.firstPatched).find((p) => candidates.includes(p));
  const next = patched ?? candidates[0];
  if (!next) {
    return { kind: "none", current, reason: `no published release of ${args.packageName} above ${current} is outside the vulnerable range (${ranges})` };
  }
  return {
    kind: "upgrade",
    current,
    version: next,
    major: true,
    reason:
      `No ${from.major}.x release of ${args.packageName} is outside the vulnerable range (${ranges}); ` +
      `${next} is ${patched ? "the first patched version" : "the smallest safe release"}, in a later major: expect breaking changes.`,
  };
}
