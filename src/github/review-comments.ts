import type { Octokit } from "./types.ts";

/** One inline comment of a pull request review, as a job needs it. */
export interface ReviewCommentSummary {
  readonly path: string;
  /** The line it is on, or its original line when the code moved; absent for a comment on the whole file. */
  readonly line?: number;
  readonly body: string;
}

/**
 * The inline comments of one submitted review
 * (`GET /repos/{owner}/{repo}/pulls/{n}/reviews/{id}/comments`), paginated,
 * oldest first. Replies in a thread are comments of their own review.
 */
export async function fetchReviewComments(
  octokit: Octokit,
  args: { owner: string; repo: string; pullNumber: number; reviewId: number },
): Promise<ReviewCommentSummary[]> {
  const comments = await octokit.paginate(octokit.rest.pulls.listCommentsForReview, {
    owner: args.owner,
    repo: args.repo,
    pull_number: args.pullNumber,
    review_id: args.reviewId,
    per_page: 100,
  });
  return comments.map((c) => {
    const line = c.line ?? c.original_line;
    return { path: c.path, body: c.body, ...(line ? { line } : {}) };
  });
}
