import type { Redactor } from "../security/redact.ts";
import { fold } from "./markdown.ts";
import type { Report } from "./report.ts";
import type { Octokit } from "./types.ts";

/** GitHub caps comment bodies at 65,536 characters. */
const BODY_LIMIT = 60_000;

/** The hidden line that makes a comment job `jobId`'s status comment. */
export function jobMarker(jobId: number): string {
  return `<!-- patchwright:job:${jobId} -->`;
}

/** Writes to an issue or pull request thread: reactions, comments and reports. Redacted. */
export interface ThreadComments {
  /** The "eyes" reaction that says a command was taken. */
  react(commentId: number): Promise<void>;
  post(issueNumber: number, body: string): Promise<void>;
  /** A report as a new comment: the title in bold, the summary, the details folded. */
  report(issueNumber: number, report: Report): Promise<void>;
  /**
   * Job `jobId`'s one status comment, written or rewritten with `report`: the
   * comment carrying the job's marker is edited in place (found among the
   * thread's comments by the app, or `knownId` from an earlier call), else it
   * is created. Returns the comment's id.
   */
  jobStatus(issueNumber: number, jobId: number, report: Report, knownId?: number): Promise<number>;
  /**
   * The app's one comment carrying `marker` (a hidden HTML comment), edited in
   * place with `body` when the thread has it, else created: a notice said again
   * stays one comment. Returns the comment's id.
   */
  upsert(issueNumber: number, marker: string, body: string): Promise<number>;
}

export function createThreadComments(octokit: Octokit, repo: { owner: string; name: string }, redact: Redactor): ThreadComments {
  const r = { owner: repo.owner, repo: repo.name };
  const clean = (body: string) => redact(body).slice(0, BODY_LIMIT);
  const create = async (issueNumber: number, body: string) => {
    const { data } = await octokit.rest.issues.createComment({ ...r, issue_number: issueNumber, body: clean(body) });
    return data.id;
  };
  /** The app's comment carrying `marker`, if the thread can be read; a thread that cannot be read gets a new comment. */
  const find = async (issueNumber: number, marker: string): Promise<number | null> => {
    try {
      const comments = await octokit.paginate(octokit.rest.issues.listComments, { ...r, issue_number: issueNumber, per_page: 100 });
      return comments.findLast((c) => c.user?.type === "Bot" && (c.body ?? "").includes(marker))?.id ?? null;
    } catch {
      return null;
    }
  };
  /** `body` with `marker` as its last line (after redaction and the cut, so it always survives them), edited in place or created. */
  const upsert = async (issueNumber: number, marker: string, text: string, knownId?: number) => {
    const body = `${clean(text).slice(0, BODY_LIMIT - marker.length - 1)}\n${marker}`;
    const id = knownId ?? (await find(issueNumber, marker));
    if (id === null) {
      const { data } = await octokit.rest.issues.createComment({ ...r, issue_number: issueNumber, body });
      return data.id;
    }
    await octokit.rest.issues.updateComment({ ...r, comment_id: id, body });
    return id;
  };
  return {
    async react(commentId) {
      await octokit.rest.reactions.createForIssueComment({ ...r, comment_id: commentId, content: "eyes" });
    },
    post: async (issueNumber, body) => void (await create(issueNumber, body)),
    report: async (issueNumber, report) => void (await create(issueNumber, renderReport(report))),
    jobStatus: (issueNumber, jobId, report, knownId) => upsert(issueNumber, jobMarker(jobId), renderReport(report), knownId),
    upsert: (issueNumber, marker, body) => upsert(issueNumber, marker, body),
  };
}

function renderReport(report: Report): string {
  return [`**${report.title}**`, "", report.summary, report.details ? `\n${fold("Details", report.details)}` : ""].join("\n");
}
