import type { Redactor } from "../security/redact.ts";
import { fold } from "./markdown.ts";
import type { Report } from "./report.ts";
import type { Octokit } from "./types.ts";

/** GitHub caps comment bodies at 65,536 characters. */
const BODY_LIMIT = 60_000;

/** Writes to an issue or pull request thread: reactions, comments and reports. Redacted. */
export interface ThreadComments {
  /** The "eyes" reaction that says a command was taken. */
  react(commentId: number): Promise<void>;
  post(issueNumber: number, body: string): Promise<void>;
  /** A job's report as a comment: the title in bold, the summary, the details folded. */
  report(issueNumber: number, report: Report): Promise<void>;
}

export function createThreadComments(octokit: Octokit, repo: { owner: string; name: string }, redact: Redactor): ThreadComments {
  const r = { owner: repo.owner, repo: repo.name };
  const post = async (issueNumber: number, body: string) => {
    await octokit.rest.issues.createComment({ ...r, issue_number: issueNumber, body: redact(body).slice(0, BODY_LIMIT) });
  };
  return {
    async react(commentId) {
      await octokit.rest.reactions.createForIssueComment({ ...r, comment_id: commentId, content: "eyes" });
    },
    post,
    report: (issueNumber, report) =>
      post(issueNumber, [`**${report.title}**`, "", report.summary, report.details ? `\n${fold("Details", report.details)}` : ""].join("\n")),
  };
}
