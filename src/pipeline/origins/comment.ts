import { PatchwrightError } from "../../errors.ts";
import type { RepoGitHub } from "../../github/repo-github.ts";
import type { CommentTrigger, JobRecord } from "../../queue/job.ts";
import { titleTail, type Origin } from "./origin.ts";

/**
 * `/agent fix` on an issue or a pull request: told in the thread, fixed onto
 * the pull request's own branch, or (on an issue) onto the default branch
 * after a test shows the problem.
 */
export function commentOrigin(job: JobRecord, trigger: CommentTrigger, github: RepoGitHub): Origin {
  const { repo } = job.payload;
  return {
    failureSources: [],
    writesTestFirst: !trigger.isPullRequest,
    describe: (sha) => `@${trigger.author} asked for a fix on ${trigger.isPullRequest ? "pull request" : "issue"} #${trigger.issueNumber} (at ${sha.slice(0, 7)}).`,
    async acknowledge() {
      await github.comments.react(trigger.commentId);
      return null;
    },
    start: async () => null,
    report: (report) => github.comments.report(trigger.issueNumber, report),
    // The requester is waiting in the thread: every ending is answered there.
    showsSkips: () => true,
    // The command's own thread already got the "Stopping" reply.
    reportCancelledBeforeStart: async () => {},
    relevance: async () => ({ relevant: true }),
    async target() {
      if (trigger.isPullRequest) {
        const pr = await github.reads.pullRequest(trigger.issueNumber);
        if (!pr.sameRepository) {
          throw new PatchwrightError(
            "policy_violation",
            "This pull request comes from a fork. Patchwright only pushes to branches of this repository, so it cannot fix it here.",
          );
        }
        return { sha: pr.headSha, baseBranch: pr.headRef, issue: { number: pr.number, title: pr.title, body: pr.body } };
      }
      const [issue, sha] = await Promise.all([github.reads.issue(trigger.issueNumber), github.reads.branchHead(repo.defaultBranch)]);
      return { sha, baseBranch: repo.defaultBranch, issue };
    },
    request: (target) => ({ instructions: trigger.instructions, ...(target.issue ? { issue: target.issue } : {}) }),
    branchName: (sha) => (trigger.isPullRequest ? `patchwright/fix-${sha.slice(0, 7)}` : `patchwright/issue-${trigger.issueNumber}-${sha.slice(0, 7)}`),
    prTitle: (summary) => `Fix #${trigger.issueNumber}${titleTail(summary)}`,
  };
}
