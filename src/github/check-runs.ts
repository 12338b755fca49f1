import type { Redactor } from "../security/redact.ts";
import type { CheckRunAction } from "./check-run-actions.ts";
import type { Annotation, Report } from "./report.ts";
import type { Octokit } from "./types.ts";

export const CHECK_NAME = "Patchwright";
/** GitHub caps check run output at 65,535 characters. */
const TEXT_LIMIT = 60_000;
const TITLE_LIMIT = 200;
/** GitHub takes at most 50 annotations per request; more go in further updates. */
export const ANNOTATIONS_PER_REQUEST = 50;
const MESSAGE_LIMIT = 1_000;

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
  /**
   * Completes check run `checkRunId`, or creates a completed one on `sha` when
   * the job has none; the report's annotations go 50 to a request.
   */
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
      const out = output(report.title, report.summary, report.details);
      const batches = chunks((report.annotations ?? []).map((a) => annotation(a, redact)), ANNOTATIONS_PER_REQUEST);
      const common = {
        ...r,
        status: "completed" as const,
        conclusion: report.conclusion,
        completed_at: new Date().toISOString(),
        output: { ...out, ...(batches[0] ? { annotations: batches[0] } : {}) },
        ...(report.url ? { details_url: report.url } : {}),
        ...(actions ? { actions: [...actions] } : {}),
      };
      let id = checkRunId;
      if (id !== null) await octokit.rest.checks.update({ ...common, check_run_id: id });
      else id = (await octokit.rest.checks.create({ ...common, name: CHECK_NAME, head_sha: sha, external_id: String(jobId) })).data.id;
      // Each request adds its annotations to the ones already there; title and summary are required every time.
      for (const batch of batches.slice(1)) await octokit.rest.checks.update({ ...r, check_run_id: id, output: { title: out.title, summary: out.summary, annotations: batch } });
    },
  };
}

/** GitHub's shape of one annotation, its message redacted and cut. */
function annotation(a: Annotation, redact: Redactor) {
  return { path: a.path, start_line: a.line, end_line: a.line, annotation_level: a.level, message: redact(a.message).slice(0, MESSAGE_LIMIT) };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
