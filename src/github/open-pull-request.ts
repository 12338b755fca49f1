import { PatchwrightError } from "../errors.ts";
import type { Redactor } from "../security/redact.ts";
import type { Octokit } from "./types.ts";

export interface OpenedPullRequest {
  number: number;
  url: string;
  branch: string;
  /** Opened as a draft (absent: a pull request a previous run opened, kept as it is). */
  draft?: boolean;
  /** A pull request a previous run opened: whether this run added its fix to the branch (`update`). */
  updated?: boolean;
  /** Why the labels could not be added; labelling is best effort. */
  labelError?: string;
}

/** Every pull request Patchwright opens is labelled `patchwright` and with its job's kind. */
export function pullRequestLabels(kind: string): string[] {
  return ["patchwright", kind];
}

/** PR titles are one line; GitHub allows 256 characters. */
const TITLE_LIMIT = 256;
/** GitHub refuses bodies over 65,536 characters; callers fit theirs well under it, this is the last guard. */
const BODY_LIMIT = 65_536;

/**
 * The one pull-request opener of every job kind. A PR already open from
 * `branch` (a previous run of the same failure delivered) is not opened
 * again: `update` adds this run's fix to its branch as a new commit on top of
 * the PR's head (a fast-forward that fails if the branch moved meanwhile),
 * and without `update` it is kept as it is. Otherwise `push` puts the commit on `branch`; a branch
 * left by an earlier job with other commits is never overwritten (the push is
 * refused with `push_rejected`), and this job gets `<branch>-<jobId>`. Title
 * and body are redacted. A new PR is a draft when asked (where the repository
 * cannot have drafts, an ordinary one) and gets `labels`, best effort: a
 * failure to label is returned, never thrown. Nothing here approves, merges,
 * marks ready for review or force-pushes.
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
    /** Open the pull request as a draft (`draft` in `.github/patchwright.yml`). */
    draft: boolean;
    /** Labels for the new pull request, e.g. `patchwright` and the job's kind. */
    labels: readonly string[];
    push(branch: string): Promise<void>;
    /** Adds the fix to an open PR's `branch`, which is at `headSha`; resolves whether a commit was added. */
    update?(branch: string, headSha: string): Promise<boolean>;
  },
): Promise<OpenedPullRequest> {
  const r = { owner: repo.owner, repo: repo.name };
  const existing = await octokit.rest.pulls.list({ ...r, head: `${repo.owner}:${args.branch}`, state: "open" }).catch(() => ({ data: [] }));
  const found = existing.data[0];
  if (found) {
    const kept = { number: found.number, url: found.html_url, branch: args.branch };
    const headSha = (found as { head?: { sha?: string } }).head?.sha;
    return args.update && headSha ? { ...kept, updated: await args.update(args.branch, headSha) } : kept;
  }

  const branch = await pushNewBranch(args.branch, args.jobId, args.push);
  const create = (draft: boolean) =>
    octokit.rest.pulls.create({
      ...r,
      head: branch,
      base: args.base,
      title: redact(args.title).slice(0, TITLE_LIMIT),
      body: redact(args.body).slice(0, BODY_LIMIT),
      draft,
    });
  let draft = args.draft;
  const { data: pr } = await create(draft).catch((error: unknown) => {
    // Private repositories on some plans cannot have drafts: an ordinary pull request then.
    if (!draft || !isDraftRefusal(error)) throw error;
    draft = false;
    return create(false);
  });
  const opened: OpenedPullRequest = { number: pr.number, url: pr.html_url, branch, draft };
  if (args.labels.length === 0) return opened;
  try {
    await octokit.rest.issues.addLabels({ ...r, issue_number: pr.number, labels: [...args.labels] });
    return opened;
  } catch (error) {
    return { ...opened, labelError: error instanceof Error ? error.message : String(error) };
  }
}

function isDraftRefusal(error: unknown): boolean {
  return (error as { status?: number }).status === 422 && /draft/i.test(error instanceof Error ? error.message : "");
}

/**
 * Pushes to `branch`, never over it: a branch left by an earlier job with
 * other commits (`push_rejected`) makes this job push `<branch>-<jobId>`.
 * Returns the branch pushed.
 */
export async function pushNewBranch(branch: string, jobId: number, push: (branch: string) => Promise<void>): Promise<string> {
  try {
    await push(branch);
    return branch;
  } catch (error) {
    if (!(error instanceof PatchwrightError) || error.code !== "push_rejected") throw error;
    await push(`${branch}-${jobId}`);
    return `${branch}-${jobId}`;
  }
}
