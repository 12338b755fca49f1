import { distillLog } from "../evidence/distill-log.ts";
import { fetchFailedJobs, fetchJobLog } from "../evidence/fetch-job-logs.ts";
import type { Octokit } from "../github/types.ts";
import type { FailureSource, JobPayload } from "../queue/job.ts";

/** Total budget of the evidence handed to the model, over all sources. */
const EVIDENCE_BUDGET_BYTES = 8000;
const MAX_JOBS = 6;
const MAX_ANNOTATIONS = 20;

/** A failed GitHub Actions job, as the reproduction stage needs it. */
export interface FailedJob {
  /** The job's id (also its check run id). */
  id: number;
  runId: number;
  workflowPath: string | undefined;
  name: string;
  steps: { name: string; number: number; conclusion: string | null }[];
}

export interface Evidence {
  /** Rendered for the prompt: every failed job's distilled log, annotations, check output. */
  text: string;
  failedJobs: FailedJob[];
}

/**
 * Everything GitHub knows about why a commit is red, distilled: for Actions,
 * every failed job of every failed run (matrix entries included) with its
 * failed step, annotations and the excerpt of its log; for other CI, the check
 * run's output and annotations; for commit statuses, the description and link.
 */
export async function gatherEvidence(octokit: Octokit, payload: JobPayload): Promise<Evidence> {
  if (payload.trigger.type !== "ci") return { text: "", failedJobs: [] };
  const repo = { owner: payload.repo.owner, repo: payload.repo.name };
  const failedJobs: FailedJob[] = [];
  for (const source of payload.trigger.sources) {
    if (source.type !== "workflow_run") continue;
    // Evidence helps the agent; its absence must not stop the reproduction, which is what counts.
    const jobs = await fetchFailedJobs(octokit, { ...repo, runId: source.runId }).catch(() => []);
    for (const job of jobs) {
      failedJobs.push({ id: job.id, runId: source.runId, workflowPath: source.workflowPath, name: job.name, steps: job.steps.map((s) => ({ ...s })) });
    }
  }
  const parts = Math.max(1, Math.min(failedJobs.length, MAX_JOBS) + payload.trigger.sources.filter((s) => s.type !== "workflow_run").length);
  const budget = Math.max(1500, Math.floor(EVIDENCE_BUDGET_BYTES / parts));
  const sections: string[] = [];
  for (const job of failedJobs.slice(0, MAX_JOBS)) sections.push(await describeJob(octokit, repo, job, budget));
  for (const source of payload.trigger.sources) {
    if (source.type !== "workflow_run") sections.push(await describeOther(octokit, repo, source, budget));
  }
  if (failedJobs.length > MAX_JOBS) sections.push(`(${failedJobs.length - MAX_JOBS} more failed jobs not shown)`);
  return { text: sections.join("\n\n"), failedJobs };
}

type Repo = { owner: string; repo: string };

async function describeJob(octokit: Octokit, repo: Repo, job: FailedJob, budget: number): Promise<string> {
  const failedStep = job.steps.find((s) => s.conclusion === "failure")?.name;
  const [log, annotations] = await Promise.all([
    fetchJobLog(octokit, { ...repo, jobId: job.id }).catch((error: unknown) => `(the job's log could not be read: ${(error as Error).message})`),
    listAnnotations(octokit, repo, job.id),
  ]);
  const { excerpt } = distillLog(log, { budgetBytes: budget, ...(failedStep ? { failedStep } : {}) });
  return [`Job "${job.name}"${failedStep ? `, failed step "${failedStep}"` : ""}:`, annotations, excerpt].filter(Boolean).join("\n");
}

async function describeOther(octokit: Octokit, repo: Repo, source: FailureSource, budget: number): Promise<string> {
  if (source.type === "status") {
    return `Commit status "${source.context}" failed: ${source.description || "(no description)"}${source.targetUrl ? ` — ${source.targetUrl}` : ""}`;
  }
  if (source.type !== "check_run") return "";
  const output = await octokit.rest.checks.get({ ...repo, check_run_id: source.checkRunId }).then(
    ({ data }) => [data.output.title, data.output.summary, data.output.text].filter(Boolean).join("\n\n"),
    () => "(the check run's output could not be read)",
  );
  const annotations = await listAnnotations(octokit, repo, source.checkRunId);
  const { excerpt } = distillLog(output, { budgetBytes: budget });
  return [`Check "${source.name}" from ${source.app} failed:`, annotations, excerpt].filter(Boolean).join("\n");
}

/** Check-run annotations as `file:line: message` lines (an Actions job id is its check run id). */
async function listAnnotations(octokit: Octokit, repo: Repo, checkRunId: number): Promise<string> {
  try {
    const { data } = await octokit.rest.checks.listAnnotations({ ...repo, check_run_id: checkRunId, per_page: MAX_ANNOTATIONS });
    return data
      .filter((a) => a.annotation_level === "failure" || a.annotation_level === "warning")
      .map((a) => `${a.path}:${a.start_line}: ${a.annotation_level}: ${a.message?.split("\n")[0] ?? ""}`)
      .join("\n");
  } catch {
    return ""; // Annotations are a bonus; a CI without them is fine.
  }
}
