/**
 * The failure evidence of a workflow run: per failed job, its distilled log
 * with the job's name, failed step and a link. The prompt builder renders it
 * (`renderEvidence` is a plain default).
 */
import { redact as defaultRedact, type Redactor } from "../security/redact.ts";
import { distillLog, type DistillStats, type LogReference } from "./distill-log.ts";
import { fetchFailedJobs, fetchJobLog, type FailedJob, type OctokitRequester } from "./fetch-job-logs.ts";
import { utf8Head, utf8Length } from "./utf8.ts";

export interface JobEvidence {
  readonly jobId: number;
  /** `test (ubuntu-latest, 20)`. */
  readonly jobName: string;
  /** `failure` or `timed_out`. */
  readonly conclusion: string;
  /** The step that failed, when GitHub says which. */
  readonly failedStep: string | undefined;
  /** Link to the job's log on GitHub, at the failed step when known. */
  readonly url: string | undefined;
  /** The distilled log, redacted. */
  readonly excerpt: string;
  /** `path:line` references found in the excerpt (repository files only when `repoFiles` is given). */
  readonly references: readonly LogReference[];
  readonly stats: DistillStats;
}

export interface FailureEvidence {
  readonly runId: number;
  /** The failed jobs that were distilled, in the run's order. */
  readonly jobs: readonly JobEvidence[];
  /** Failed jobs left out to stay within `maxJobs` (large matrices fail alike). */
  readonly omittedJobs: number;
}

export interface BuildEvidenceOptions {
  readonly owner: string;
  readonly repo: string;
  readonly runId: number;
  /** Total excerpt budget in bytes, shared by the jobs shown (default 12000). */
  readonly budgetBytes?: number;
  /** At most this many failed jobs are distilled (default 4). */
  readonly maxJobs?: number;
  /** Cap on the bytes of each log downloaded (default 20 MB, the tail is kept). */
  readonly maxLogBytes?: number;
  /** Repository paths, to keep only references to real files. */
  readonly repoFiles?: ReadonlySet<string>;
  /** Applied to every excerpt (default: the known token shapes). */
  readonly redact?: Redactor;
}

const DEFAULT_BUDGET_BYTES = 12_000;
const DEFAULT_MAX_JOBS = 4;
/** No job gets less than this, however many failed. */
const MIN_JOB_BUDGET_BYTES = 1_500;

/** Redaction may lengthen a short secret: cut at a line boundary if it did. */
function withinBudget(text: string, budget: number): string {
  if (utf8Length(text) <= budget) return text;
  const head = utf8Head(text, budget);
  const nl = head.lastIndexOf("\n");
  return nl > 0 ? head.slice(0, nl) : head;
}

/** Link to a job's log, scrolled to its failed step when known. */
function jobLink(job: FailedJob, failedStep: string | undefined): string | undefined {
  if (!job.htmlUrl) return undefined;
  const step = job.steps.find((s) => s.name === failedStep);
  return step ? `${job.htmlUrl}#step:${step.number}:1` : job.htmlUrl;
}

/** Fetches the failed jobs of a run and distils each one's log. */
export async function buildEvidence(octokit: OctokitRequester, options: BuildEvidenceOptions): Promise<FailureEvidence> {
  const { owner, repo, runId } = options;
  const redact = options.redact ?? defaultRedact;
  const failed = await fetchFailedJobs(octokit, { owner, repo, runId });
  const shown = failed.slice(0, Math.max(1, options.maxJobs ?? DEFAULT_MAX_JOBS));
  const perJob = Math.max(
    MIN_JOB_BUDGET_BYTES,
    Math.floor((options.budgetBytes ?? DEFAULT_BUDGET_BYTES) / Math.max(1, shown.length)),
  );
  const jobs: JobEvidence[] = [];
  for (const job of shown) {
    const log = await fetchJobLog(octokit, {
      owner,
      repo,
      jobId: job.id,
      ...(options.maxLogBytes !== undefined ? { maxBytes: options.maxLogBytes } : {}),
    });
    const failedStep = job.failedSteps[0];
    const distilled = distillLog(log, {
      budgetBytes: perJob,
      ...(failedStep !== undefined ? { failedStep } : {}),
      ...(options.repoFiles ? { repoFiles: options.repoFiles } : {}),
    });
    jobs.push({
      jobId: job.id,
      jobName: job.name,
      conclusion: job.conclusion,
      failedStep,
      url: jobLink(job, failedStep),
      excerpt: withinBudget(redact(distilled.excerpt), perJob),
      references: distilled.references,
      stats: distilled.stats,
    });
  }
  return { runId, jobs, omittedJobs: failed.length - shown.length };
}

/** A plain rendering of the evidence, one section per job. */
export function renderEvidence(evidence: FailureEvidence): string {
  const sections = evidence.jobs.map((job) => {
    const title = `Job "${job.jobName}" (${job.conclusion})${job.failedStep ? `, failed step "${job.failedStep}"` : ""}`;
    return [title, job.url, job.excerpt].filter((part) => part !== undefined && part !== "").join("\n");
  });
  if (evidence.omittedJobs > 0) sections.push(`(${evidence.omittedJobs} more failed jobs not shown)`);
  return sections.join("\n\n");
}
