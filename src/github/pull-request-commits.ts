import type { Octokit } from "./types.ts";

/** One commit of a pull request, as the webhooks need it. */
export interface PullRequestCommitSummary {
  readonly sha: string;
  readonly message: string;
  /** The GitHub user the commit's committer is attributed to (`slug[bot]` for an app), if GitHub knows one. */
  readonly committer: string | undefined;
}

/**
 * The commits of pull request `pullNumber`
 * (`GET /repos/{owner}/{repo}/pulls/{n}/commits`), paginated, oldest first.
 * GitHub lists at most 250.
 */
export async function fetchPullRequestCommits(
  octokit: Octokit,
  args: { owner: string; repo: string; pullNumber: number },
): Promise<PullRequestCommitSummary[]> {
  const commits = await octokit.paginate(octokit.rest.pulls.listCommits, {
    owner: args.owner,
    repo: args.repo,
    pull_number: args.pullNumber,
    per_page: 100,
  });
  return commits.map((c) => ({ sha: c.sha, message: c.commit.message, committer: c.committer?.login ?? undefined }));
}
