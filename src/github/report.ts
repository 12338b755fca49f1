import type { Redactor } from "../security/redact.ts";
import type { JobRecord } from "../queue/job.ts";
import { CHECK_NAME } from "./acknowledge.ts";
import type { Octokit } from "./types.ts";

export interface Report {
  conclusion: "success" | "failure" | "neutral" | "skipped" | "cancelled";
  title: string;
  /** Markdown. */
  summary: string;
  /** Longer markdown detail (check run text; folded in comments). */
  details?: string;
  /** Where the work landed, e.g. the pull request. */
  url?: string;
}

const CHECK_TEXT_LIMIT = 60_000; // GitHub caps check run output at 65,535 characters.

/**
 * Makes a job's outcome visible where it was requested: the check run on the
 * red commit, or a comment on the issue / pull request. Everything is redacted.
 */
export async function reportOutcome(
  octokit: Octokit,
  job: JobRecord,
  report: Report,
  redact: Redactor,
  ackId: number | null = job.ackId,
): Promise<void> {
  const { repo, trigger } = job.payload;
  const summary = redact(report.summary);
  const details = report.details === undefined ? undefined : redact(report.details);
  if (trigger.type === "comment") {
    const body = [
      `**${redact(report.title)}**`,
      "",
      summary,
      details ? `\n<details><summary>Details</summary>\n\n${details}\n\n</details>` : "",
    ].join("\n");
    await octokit.rest.issues.createComment({
      owner: repo.owner,
      repo: repo.name,
      issue_number: trigger.issueNumber,
      body: body.slice(0, CHECK_TEXT_LIMIT),
    });
    return;
  }
  // Advisory jobs report on their own check run (`advisories/report-advisory.ts`).
  if (trigger.type !== "ci") return;
  const output = {
    title: redact(report.title).slice(0, 200),
    summary: summary.slice(0, CHECK_TEXT_LIMIT),
    ...(details ? { text: details.slice(0, CHECK_TEXT_LIMIT) } : {}),
  };
  const common = {
    owner: repo.owner,
    repo: repo.name,
    status: "completed" as const,
    conclusion: report.conclusion,
    completed_at: new Date().toISOString(),
    output,
    ...(report.url ? { details_url: report.url } : {}),
  };
  if (ackId !== null) await octokit.rest.checks.update({ ...common, check_run_id: ackId });
  else await octokit.rest.checks.create({ ...common, name: CHECK_NAME, head_sha: trigger.headSha });
}

/** Marks the check run as in progress (comments get their reaction instead). */
export async function reportStarted(octokit: Octokit, job: JobRecord, ackId: number | null): Promise<void> {
  if (job.payload.trigger.type !== "ci" || ackId === null) return;
  await octokit.rest.checks.update({
    owner: job.payload.repo.owner,
    repo: job.payload.repo.name,
    check_run_id: ackId,
    status: "in_progress",
    output: { title: "Reproducing the failure", summary: "Patchwright is reproducing the failure in a sandbox." },
  });
}
