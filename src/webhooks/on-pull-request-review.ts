import type { Context } from "probot";
import { hasWriteAccess } from "../github/has-write-access.ts";
import { createRepoReads } from "../github/read-repository.ts";
import { MAX_REVIEW_COMMENTS, type ReviewComment } from "../queue/job.ts";
import type { WebhookDeps } from "./webhook-deps.ts";
import { enqueueIteration } from "./enqueue-iteration.ts";
import { appCommittedTo, isAppPullRequest, mayBeCommittedTo } from "./is-app-pull-request.ts";
import { repoRefOf } from "./repo-ref.ts";

/** Longest review text or comment a job carries; the prompt cuts further. */
const MAX_TEXT = 4000;

/**
 * `pull_request_review.submitted` on the app's own pull request, or on a
 * person's pull request from a branch of this repository that the app
 * committed a fix to (`appCommittedTo`: one read of its commits, made only
 * for a review that could act), by someone with write access (checked as
 * for commands), never a bot: a review that
 * requests changes, or comments on lines of the code, queues an iteration on
 * the same branch with its text and inline comments (file, line, text) as the
 * request. A review that approves, or only talks, starts nothing.
 */
export function onPullRequestReviewSubmitted(deps: WebhookDeps) {
  return async (context: Context<"pull_request_review.submitted">): Promise<void> => {
    const { review, pull_request: pr, repository, installation, sender } = context.payload;
    // Loop guard: the app (or any bot) reviewing is never a reason to act.
    if (!installation || review.user?.type === "Bot" || sender.type === "Bot") return;
    const state = review.state.toLowerCase();
    if (state !== "changes_requested" && state !== "commented") return;
    if (pr.state !== "open") return;
    const head = { headRef: pr.head.ref, sameRepository: pr.head.repo?.full_name === repository.full_name, authorIsBot: pr.user?.type === "Bot" };
    const own = isAppPullRequest(head);
    // A person's pull request counts only if the app committed to its branch: asked of GitHub below, after the reviewer's access.
    if (!own && !mayBeCommittedTo({ ...head, defaultBranch: repository.default_branch })) return;
    const log = context.log.child({ delivery: context.id, repo: repository.full_name, pullRequest: pr.number });
    const owner = repository.owner.login;
    const repo = repository.name;
    const author = review.user?.login ?? sender.login;

    // Deduped before anything else: a redelivered review costs no GitHub call.
    if (!await deps.queue.recordDelivery(context.id)) {
      log.info("duplicate delivery ignored");
      return;
    }
    try {
      if (!(await hasWriteAccess(context.octokit, { owner, repo, username: author }))) {
        // No reply: a review from someone without write access is a review, not a request to Patchwright.
        log.info({ author }, "review from a user without write access");
        return;
      }
      const reads = createRepoReads(context.octokit, { owner, name: repo });
      if (!own && !(await appCommittedTo(reads, pr.number, await deps.appLogin()))) {
        log.info("a person's pull request Patchwright has not committed to");
        return;
      }
      const comments: ReviewComment[] = (await reads.reviewComments(pr.number, review.id))
        .slice(0, MAX_REVIEW_COMMENTS)
        .map((c) => ({ path: c.path.slice(0, 1000), body: c.body.slice(0, MAX_TEXT), ...(c.line ? { line: c.line } : {}) }));
      const body = (review.body ?? "").trim().slice(0, MAX_TEXT);
      // Changes requested in words, or comments on the code; a "commented" review without line comments is conversation.
      if (comments.length === 0 && (state === "commented" || body === "")) {
        log.info({ state }, "review asks for no change");
        return;
      }
      await enqueueIteration(deps, {
        octokit: context.octokit,
        repo: repoRefOf(repository),
        installationId: installation.id,
        deliveryId: context.id,
        log,
        trigger: {
          type: "review",
          pullNumber: pr.number,
          headRef: pr.head.ref,
          headSha: pr.head.sha,
          author,
          via: { type: "review", reviewId: review.id, url: review.html_url },
          body,
          comments,
        },
      });
    } catch (error) {
      // Nothing was queued for this delivery: GitHub's redelivery of it must be handled, not ignored.
      await deps.queue.forgetDelivery(context.id);
      throw error;
    }
  };
}
