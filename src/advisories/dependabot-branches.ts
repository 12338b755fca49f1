/** How Dependabot names its branches and pull requests, and how ours are named next to them. */

/** Dependabot's login on GitHub. */
export const DEPENDABOT = "dependabot[bot]";

/**
 * Dependabot's branch for one npm package: `dependabot/npm_and_yarn/[dir/]name-version`,
 * a scope losing its `@` (`@types/node` → `types/node-20.1.0`).
 */
export function dependabotBranchPattern(packageName: string): RegExp {
  const name = packageName.replace(/^@/, "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`^dependabot/npm_and_yarn/(?:.+/)?${name}-\\d[^/]*$`);
}

/** `Bump lodash from 4.17.20 to 4.17.21` → the two versions, when Dependabot's title says them. */
export function versionsFromTitle(title: string): { from: string; to: string } | null {
  const m = /\bfrom (\S+) to (\S+?)(?:\s|$)/i.exec(title);
  return m ? { from: m[1]!, to: m[2]! } : null;
}

/** `patchwright/bump-types-node-20.1.1`: one branch per package and version. */
export function bumpBranchName(packageName: string, versions: readonly string[]): string {
  const slug = packageName.replace(/^@/, "").replace(/[^A-Za-z0-9._-]+/g, "-");
  return `patchwright/bump-${slug}-${versions.join("-")}`;
}
