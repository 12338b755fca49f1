import { PatchwrightError } from "../errors.ts";
import type { Redactor } from "../security/redact.ts";
import type { Octokit } from "./types.ts";

export interface OpenedPullRequest {
  number: number;
  url: string;
  branch: string;
}

/** PR titles are one line; GitHub allows 256 characters. */
const TITLE_LIMIT = 256;

/**
 * The one pull-request opener of every job kind. A PR already open from
 * `branch` (a previous run of the job delivered; people may have pushed to it)
 * is kept as it is. Otherwise `push` puts the commit on `branch`; a branch
 * left by an earlier job with other commits is never overwritten (the push is
 * refused with `push_rejected`), and this job gets `<branch>-<jobId>`. Title
 * and body are redacted.
 */
export async function openPullRequest(
  octokit: Octokit,
  repo: { owner: string; name: string },
  redact: Redactor,
  args: {
    jobId: number;
    branch: string;
    base: string;
    title: string;
    body: string;
    push(branch: string): Promise<void>;
  },
): Promise<OpenedPullRequest> {
  const r = { owner: repo.owner, repo: repo.name };
  const existing = await octokit.rest.pulls.list({ ...r, head: `${repo.owner}:${args.branch}`, state: "open" }).catch(() => ({ data: [] }));
  const found = existing.data[0];
  if (found) return { number: found.number, url: found.html_url, branch: args.branch };

  let branch = args.branch;
  try {
    await args.push(branch);
  } catch (error) {
    if (!(error instanceof PatchwrightError) || error.code !== "push_rejected") throw error;
    branch = `${branch}-${args.jobId}`;
    await args.push(branch);
  }
  const { data: pr } = await octokit.rest.pulls.create({
    ...r,
    head: branch,
    base: args.base,
    title: redact(args.title).slice(0, TITLE_LIMIT),
    body: redact(args.body),
  });
  return { number: pr.number, url: pr.html_url, branch };
}
