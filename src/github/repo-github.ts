import type { Redactor } from "../security/redact.ts";
import { createCheckRuns, type CheckRuns } from "./check-runs.ts";
import { openPullRequest, type OpenedPullRequest } from "./open-pull-request.ts";
import { createRepoReads, type RepoReads } from "./read-repository.ts";
import { createThreadComments, type ThreadComments } from "./thread-comments.ts";
import type { Octokit } from "./types.ts";

/**
 * GitHub as one installation sees one repository: the only door a job has to
 * GitHub. Reads, the check-run reporter, thread comments and the PR opener
 * share one Octokit; every write is redacted.
 */
export interface RepoGitHub {
  readonly reads: RepoReads;
  readonly checks: CheckRuns;
  readonly comments: ThreadComments;
  openPullRequest(args: Parameters<typeof openPullRequest>[3]): Promise<OpenedPullRequest>;
}

export function createRepoGitHub(octokit: Octokit, repo: { owner: string; name: string }, redact: Redactor): RepoGitHub {
  return {
    reads: createRepoReads(octokit, repo),
    checks: createCheckRuns(octokit, repo, redact),
    comments: createThreadComments(octokit, repo, redact),
    openPullRequest: (args) => openPullRequest(octokit, repo, redact, args),
  };
}
