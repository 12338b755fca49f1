import type { Redactor } from "../security/redact.ts";
import type { CheckRunAction } from "./check-run-actions.ts";
import type { Report } from "./report.ts";
import type { Octokit } from "./types.ts";

export const CHECK_NAME = "Patchwright";
/** GitHub caps check run output at 65,535 characters. */
const TEXT_LIMIT = 60_000;
const TITLE_LIMIT = 200;

/**
 * The one check-run reporter of every job kind: open one (queued or in
 * progress), mark progress, complete it. Everything it sends is redacted and
 * cut to GitHub's limits.
 */
export interface CheckRuns {
  /** Creates the job's check run on `sha`; returns its id. */
  open(args: {
    sha: string;
    jobId: number;
    status: "queued" | "in_progress";
    title: string;
    summary: string;
    detailsUrl?: string | undefined;
    /** Buttons (`check-run-actions.ts`). */
    actions?: readonly CheckRunAction[];
  }): Promise<number>;
  progress(checkRunId: number, title: string, summary: string): Promise<void>;
  /** Completes check run `checkRunId`, or creates a completed one on `sha` when the job has none. */
  complete(args: { checkRunId: number | null; sha: string; jobId: number; report: Report; actions?: readonly CheckRunAction[] }): Promise<void>;
}

export function createCheckRuns(octokit: Octokit, repo: { owner: string; name: string }, redact: Redactor): CheckRuns {
  const r = { owner: repo.owner, repo: repo.name };
  const output = (title: string, summary: string, text?: string) => ({
    title: redact(title).slice(0, TITLE_LIMIT),
    summary: redact(summary).slice(0, TEXT_LIMIT),
    ...(text ? { text: redact(text).slice(0, TEXT_LIMIT) } : {}),
  });
  return {
    async open({ sha, jobId, status, title, summary, detailsUrl, actions }) {
      const { data } = await octokit.rest.checks.create({
        ...r,
        name: CHECK_NAME,
        head_sha: sha,
        status,
        external_id: String(jobId),
        ...(detailsUrl ? { details_url: detailsUrl } : {}),
        ...(actions ? { actions: [...actions] } : {}),
        output: output(title, summary),
      });
      return data.id;
    },
    async progress(checkRunId, title, summary) {
      await octokit.rest.checks.update({ ...r, check_run_id: checkRunId, status: "in_progress", output: output(title, summary) });
    },
    async complete({ checkRunId, sha, jobId, report, actions }) {
      const common = {
        ...r,
        status: "completed" as const,
        conclusion: report.conclusion,
        completed_at: new Date().toISOString(),
        output: output(report.title, report.summary, report.details),
        ...(report.url ? { details_url: report.url } : {}),
        ...(actions ? { actions: [...actions] } : {}),
      };
      if (checkRunId !== null) await octokit.rest.checks.update({ ...common, check_run_id: checkRunId });
      else await octokit.rest.checks.create({ ...common, name: CHECK_NAME, head_sha: sha, external_id: String(jobId) });
    },
  };
}
