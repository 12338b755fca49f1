import { PatchwrightError } from "../errors.ts";
import type { JobPayload } from "../queue/job.ts";
import type { Octokit } from "./types.ts";

/** What a job works on: a commit, the branch a fix PR goes to, and any issue text. */
export interface Target {
  sha: string;
  /** Branch the fix pull request targets. */
  baseBranch: string;
  issue?: { number: number; title: string; body: string };
}

/** Resolves the commit to repair (slow lookups belong in the worker, not the webhook). */
export async function resolveTarget(octokit: Octokit, payload: JobPayload): Promise<Target> {
  const { repo, trigger } = payload;
  const owner = repo.owner;
  // A CI failure is fixed onto the branch that failed (a PR's head branch, or the default branch).
  if (trigger.type === "ci") return { sha: trigger.headSha, baseBranch: trigger.headBranch };
  if (trigger.type !== "comment") {
    const { data: branch } = await octokit.rest.repos.getBranch({ owner, repo: repo.name, branch: repo.defaultBranch });
    return { sha: branch.commit.sha, baseBranch: repo.defaultBranch };
  }
  if (trigger.isPullRequest) {
    const { data: pr } = await octokit.rest.pulls.get({ owner, repo: repo.name, pull_number: trigger.issueNumber });
    if (pr.head.repo?.full_name !== `${owner}/${repo.name}`) {
      throw new PatchwrightError(
        "policy_violation",
        "This pull request comes from a fork. Patchwright only pushes to branches of this repository, so it cannot fix it here.",
      );
    }
    return {
      sha: pr.head.sha,
      baseBranch: pr.head.ref,
      issue: { number: pr.number, title: pr.title, body: pr.body ?? "" },
    };
  }
  const [{ data: issue }, { data: branch }] = await Promise.all([
    octokit.rest.issues.get({ owner, repo: repo.name, issue_number: trigger.issueNumber }),
    octokit.rest.repos.getBranch({ owner, repo: repo.name, branch: repo.defaultBranch }),
  ]);
  return {
    sha: branch.commit.sha,
    baseBranch: repo.defaultBranch,
    issue: { number: issue.number, title: issue.title, body: issue.body ?? "" },
  };
}
