import type { Octokit } from "../github/types.ts";

/** An open Dependabot pull request that already upgrades the alerted package. */
export interface DependabotPullRequest {
  readonly number: number;
  readonly url: string;
  readonly title: string;
  readonly headRef: string;
  readonly headSha: string;
  readonly baseRef: string;
  /** Its branch is in this repository, so a `patchwright/` branch can build on it and a PR can target it. */
  readonly pushable: boolean;
}

const DEPENDABOT = "dependabot[bot]";

/**
 * Dependabot's branch for one npm package: `dependabot/npm_and_yarn/[dir/]name-version`,
 * a scope losing its `@` (`@types/node` → `types/node-20.1.0`).
 */
export function dependabotBranchPattern(packageName: string): RegExp {
  const name = packageName.replace(/^@/, "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`^dependabot/npm_and_yarn/(?:.+/)?${name}-\\d[^/]*$`);
}

/** The most recent open pull request by Dependabot for `packageName`, or null. */
export async function findDependabotPullRequest(octokit: Octokit, owner: string, repo: string, packageName: string): Promise<DependabotPullRequest | null> {
  const pattern = dependabotBranchPattern(packageName);
  const pulls = await octokit.paginate(octokit.rest.pulls.list, { owner, repo, state: "open", per_page: 100 });
  const found = pulls
    .filter((pr) => pr.user?.login === DEPENDABOT && pattern.test(pr.head.ref))
    .sort((a, b) => b.number - a.number)[0];
  if (!found) return null;
  return {
    number: found.number,
    url: found.html_url,
    title: found.title,
    headRef: found.head.ref,
    headSha: found.head.sha,
    baseRef: found.base.ref,
    pushable: found.head.repo?.full_name === `${owner}/${repo}`,
  };
}

/** `Bump lodash from 4.17.20 to 4.17.21` → the two versions, when Dependabot's title says them. */
export function versionsFromTitle(title: string): { from: string; to: string } | null {
  const m = /\bfrom (\S+) to (\S+?)(?:\s|$)/i.exec(title);
  return m ? { from: m[1]!, to: m[2]! } : null;
}
