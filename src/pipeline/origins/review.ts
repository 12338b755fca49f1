import type { RepoGitHub } from "../../github/repo-github.ts";
import type { Report } from "../../github/report.ts";
import type { JobRecord, ReviewTrigger } from "../../queue/job.ts";
import type { Origin } from "./origin.ts";
import { prTitle } from "./pr-title.ts";

/**
 * A review iteration on the app's own pull request, or a person's whose
 * branch it committed a fix to (a submitted review, or
 * `/agent fix <what to change>` in its thread): told in the thread, in one
 * status comment per job edited in place; the change is one new commit on
 * the pull request's own branch, added only while the branch is still at the
 * reviewed commit (a pull request onto it otherwise, never a force-push).
 */
export function reviewOrigin(job: JobRecord, trigger: ReviewTrigger, github: RepoGitHub): Origin {
  const { pullNumber, headRef, headSha, via } = trigger;
  const asked = via.type === "review" ? `in [a review](${via.url ?? `#${pullNumber}`})` : "with `/agent fix`";
  const count = trigger.comments.length;
  const what = count > 0 ? `${count} comment${count === 1 ? "" : "s"}` : "the request";
  let statusId: number | undefined;
  const status = async (report: Report) => {
    statusId = await github.comments.jobStatus(pullNumber, job.id, report, statusId);
  };
  return {
    failureSources: [],
    // Green tests are the usual case: the job goes on and makes the review's changes (no test first: see the prompt's review mode).
    writesTestFirst: true,
    failingRunUrl: undefined,
    // The app's own branch, or one it already committed a fix to: committing to it is the point of an iteration, whatever `pull_request_fixes` says.
    commitsOnto: () => ({ branch: headRef, sha: headSha }),
    describe: (sha) => `@${trigger.author} asked for changes on pull request #${pullNumber} (\`${headRef}\`) ${asked} (at ${sha.slice(0, 7)}).`,
    async acknowledge() {
      // A comment gets its reaction; a review cannot have one, so its answer is the job's status comment.
      if (via.type === "comment") await github.comments.react(via.commentId);
      else await status({ conclusion: "neutral", title: "Queued", summary: `Patchwright will address @${trigger.author}'s review (${what}) on \`${headRef}\`. This comment is updated as it goes; \`/agent stop\` stops it.` });
      return null;
    },
    async start(target) {
      await status({
        conclusion: "neutral",
        title: "Working on it",
        summary: `Patchwright is making the changes @${trigger.author} asked for (${what}) on \`${headRef}\` at ${target.sha.slice(0, 7)}, in a sandbox. This comment is updated when it is done; \`/agent stop\` stops it.`,
      });
      return null;
    },
    report: status,
    showsSkips: () => true,
    // `/agent stop` already replied in the thread; a review's "Queued" comment says it stopped.
    reportCancelledBeforeStart: async (by) => {
      if (via.type === "review") await status({ conclusion: "cancelled", title: "Stopped", summary: `Stopped by @${by} with \`/agent stop\` before it started.` });
    },
    async relevance() {
      // Comments are about the reviewed commit: a branch that moved on since is reviewed again, not guessed at.
      const head = await github.reads.branchHead(headRef).catch(() => headSha);
      if (head === headSha) return { relevant: true };
      return {
        relevant: false,
        reason: "superseded",
        report: {
          conclusion: "skipped",
          title: "The branch moved on",
          summary: `\`${headRef}\` moved on from ${headSha.slice(0, 7)} to ${head.slice(0, 7)} since the review, so Patchwright changed nothing. Review the new commit, or comment \`/agent fix <what to change>\`.`,
        },
      };
    },
    target: async () => ({ sha: headSha, baseBranch: headRef }),
    request: () => ({ instructions: trigger.body, review: { via: via.type, author: trigger.author, comments: trigger.comments } }),
    // Only when the branch moved while the job worked: the change is proposed onto it from here.
    branchName: (sha) => `patchwright/review-${pullNumber}-${sha.slice(0, 7)}`,
    prTitle: (summary) => prTitle(`Address review on #${pullNumber}`, summary),
  };
}
