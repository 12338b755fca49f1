import { distillLog } from "../evidence/distill-log.ts";
import type { Octokit } from "../github/types.ts";
import type { JobPayload } from "../queue/job.ts";

/** Total budget of the evidence handed to the model, over all failed jobs. */
const EVIDENCE_BUDGET_BYTES = 8000;
/** Logs are read up to this size; the tail is what explains a failure. */
const MAX_LOG_BYTES = 20 * 1024 * 1024;

/**
 * The failed jobs of a workflow run, each with its failed step and the
 * distilled excerpt of its log, rendered as text for the prompt.
 */
export async function gatherEvidence(octokit: Octokit, payload: JobPayload): Promise<string> {
  if (payload.trigger.type !== "workflow_run") return "";
  const { owner, name } = payload.repo;
  const jobs = await octokit.paginate(octokit.rest.actions.listJobsForWorkflowRun, {
    owner,
    repo: name,
    run_id: payload.trigger.runId,
    filter: "latest",
    per_page: 100,
  });
  const failed = jobs.filter((j) => j.conclusion === "failure" || j.conclusion === "timed_out");
  if (failed.length === 0) return "";
  const budget = Math.max(1500, Math.floor(EVIDENCE_BUDGET_BYTES / failed.length));
  const sections: string[] = [];
  for (const job of failed.slice(0, 5)) {
    const failedStep = job.steps?.find((s) => s.conclusion === "failure")?.name;
    const log = await downloadLog(octokit, owner, name, job.id);
    const { excerpt } = distillLog(log, { budgetBytes: budget, ...(failedStep ? { failedStep } : {}) });
    sections.push(`Job "${job.name}"${failedStep ? `, failed step "${failedStep}"` : ""}:\n${excerpt}`);
  }
  return sections.join("\n\n");
}

async function downloadLog(octokit: Octokit, owner: string, repo: string, jobId: number): Promise<string> {
  // Octokit follows the redirect to the log's download URL.
  const { data } = await octokit.rest.actions.downloadJobLogsForWorkflowRun({ owner, repo, job_id: jobId });
  const text = typeof data === "string" ? data : Buffer.from(data as ArrayBuffer).toString("utf8");
  return text.length > MAX_LOG_BYTES ? text.slice(-MAX_LOG_BYTES) : text;
}
