import { PatchwrightError } from "../../errors.ts";
import type { RepoGitHub } from "../../github/repo-github.ts";
import type { Report } from "../../github/report.ts";
import type { CommentTrigger, JobRecord } from "../../queue/job.ts";
import type { Origin } from "./origin.ts";
import { prTitle } from "./pr-title.ts";

/**
 * `/agent fix` (or `/agent explain`) on an issue or a pull request: told in
 * the thread, in one status comment per job edited in place; fixed onto the
 * pull request's own branch, or (on an issue) onto the default branch after a
 * test shows the problem.
 */
export function commentOrigin(job: JobRecord, trigger: CommentTrigger, github: RepoGitHub): Origin {
  const { repo } = job.payload;
  const explains = job.payload.kind === "explain";
  const thread = `${trigger.isPullRequest ? "pull request" : "issue"} #${trigger.issueNumber}`;
  // The job's one status comment: written when the job starts, edited with its ending.
  let statusId: number | undefined;
  const status = async (report: Report) => {
    statusId = await github.comments.jobStatus(trigger.issueNumber, job.id, report, statusId);
  };
  return {
    failureSources: [],
    writesTestFirst: !trigger.isPullRequest,
    failingRunUrl: undefined,
    commitsOnto: () => null,
    describe: (sha) => `@${trigger.author} asked for ${explains ? "an explanation" : "a fix"} on ${thread} (at ${sha.slice(0, 7)}).`,
    async acknowledge() {
      await github.comments.react(trigger.commentId);
      return null;
    },
    async start(target) {
      await status({
        conclusion: "neutral",
        title: "Working on it",
        summary: `Patchwright is reproducing the problem at ${target.sha.slice(0, 7)} in a sandbox${explains ? " to explain it" : ""}. This comment is updated when it is done; \`/agent stop\` stops it.`,
      });
      return null;
    },
    report: status,
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
    prTitle: (summary) => prTitle(`Fix #${trigger.issueNumber}`, summary),
  };
}
