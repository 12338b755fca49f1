import { PatchwrightError } from "../errors.ts";
import type { Octokit } from "../github/types.ts";
import type { PipelineDeps } from "../pipeline/pipeline-deps.ts";
import type { RepoRef } from "../queue/job.ts";

/** `patchwright/bump-types-node-20.1.1`: one branch per package and version. */
export function bumpBranchName(packageName: string, versions: readonly string[]): string {
  const slug = packageName.replace(/^@/, "").replace(/[^A-Za-z0-9._-]+/g, "-");
  return `patchwright/bump-${slug}-${versions.join("-")}`;
}

/** An open pull request from `branch`, if a previous run of the job opened one. */
export async function findOpenPullRequest(octokit: Octokit, repo: RepoRef, branch: string): Promise<{ number: number; url: string } | null> {
  const { data } = await octokit.rest.pulls.list({ owner: repo.owner, repo: repo.name, head: `${repo.owner}:${branch}`, state: "open" });
  const found = data[0];
  return found ? { number: found.number, url: found.html_url } : null;
}

/**
 * Pushes the workspace's HEAD (already committed) to `branch` and opens the
 * pull request onto `base`. A branch left by an earlier job with other commits
 * is never overwritten: this job then gets `branch-<jobId>`.
 */
export async function pushAndOpenPullRequest(args: {
  deps: Pick<PipelineDeps, "pushBranch" | "redact">;
  octokit: Octokit;
  repo: RepoRef;
  jobId: number;
  dir: string;
  token: string;
  branch: string;
  base: string;
  title: string;
  body: string;
}): Promise<{ number: number; url: string; branch: string }> {
  const { deps, repo } = args;
  let branch = args.branch;
  try {
    await deps.pushBranch({ dir: args.dir, cloneUrl: repo.cloneUrl, branch, token: args.token });
  } catch (error) {
    if (!(error instanceof PatchwrightError) || error.code !== "push_rejected") throw error;
    branch = `${branch}-${args.jobId}`;
    await deps.pushBranch({ dir: args.dir, cloneUrl: repo.cloneUrl, branch, token: args.token });
  }
  const { data: pr } = await args.octokit.rest.pulls.create({
    owner: repo.owner,
    repo: repo.name,
    head: branch,
    base: args.base,
    title: deps.redact(args.title),
    body: deps.redact(args.body),
  });
  return { number: pr.number, url: pr.html_url, branch };
}
