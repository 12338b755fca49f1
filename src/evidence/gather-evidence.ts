/**
 * Everything GitHub knows about why a commit is red, distilled for the model:
 * for Actions, every failed job of every failed run (matrix entries included)
 * with its failed step (or the step a timeout cut short), link, annotations
 * and the excerpt of its log; for other CI, the check run's output and
 * annotations; for commit statuses, the description and link.
 */
import type { FailedJob } from "../github/fetch-job-logs.ts";
import type { FailureSource } from "../queue/job.ts";
import { redact as redactKnownShapes, type Redactor } from "../security/redact.ts";
import { distillLog, type DistillStats, type LogReference } from "./distill-log.ts";
import { utf8Head, utf8Length } from "./utf8.ts";

/** The GitHub reads evidence needs (`github/read-repository.ts` has them). */
export interface EvidenceReads {
  failedJobs(runId: number): Promise<FailedJob[]>;
  jobLog(jobId: number): Promise<string>;
  annotations(checkRunId: number): Promise<string>;
  checkRunOutput(checkRunId: number): Promise<string>;
}

/** A failed Actions job and the workflow file it ran from: what the reproduction follows. */
export type FailedWorkflowJob = FailedJob & { readonly workflowPath: string | undefined };

export interface JobEvidence {
  readonly jobId: number;
  readonly jobName: string;
  /** `failure` or `timed_out`. */
  readonly conclusion: string;
  readonly failedStep: string | undefined;
  /** The job's log on GitHub, at the failed step when known. */
  readonly url: string | undefined;
  /** The distilled log, redacted. */
  readonly excerpt: string;
  readonly references: readonly LogReference[];
  readonly stats: DistillStats;
}

export interface Evidence {
  /** Rendered for the prompt: every failed job's section, then other CI's, within the budget. */
  readonly text: string;
  readonly failedJobs: readonly FailedWorkflowJob[];
  /** The jobs that were distilled (at most `maxJobs`). */
  readonly jobs: readonly JobEvidence[];
}

export interface EvidenceOptions {
  /** Total bytes of excerpts, shared by every section (default 8,000). */
  readonly budgetBytes?: number;
  /** At most this many failed jobs are distilled (default 6); large matrices fail alike. */
  readonly maxJobs?: number;
  /** Repository paths, to keep only references to real files. */
  readonly repoFiles?: ReadonlySet<string>;
  /** Applied to every excerpt (default: the known token shapes). */
  readonly redact?: Redactor;
  /**
   * Told the failed jobs as soon as they are listed, before their logs are
   * read: what the reproduction needs, so it can start meanwhile.
   */
  readonly onFailedJobs?: (jobs: readonly FailedWorkflowJob[]) => void;
}

const DEFAULT_BUDGET_BYTES = 8_000;
const DEFAULT_MAX_JOBS = 6;
/** No section gets less than this, however many failed. */
const MIN_SECTION_BYTES = 1_500;

export async function gatherEvidence(reads: EvidenceReads, sources: readonly FailureSource[], options: EvidenceOptions = {}): Promise<Evidence> {
  const redact = options.redact ?? redactKnownShapes;
  const maxJobs = Math.max(1, options.maxJobs ?? DEFAULT_MAX_JOBS);
  const failedJobs: FailedWorkflowJob[] = [];
  for (const source of sources) {
    if (source.type !== "workflow_run") continue;
    // Evidence helps the agent; its absence must not stop the reproduction, which is what counts.
    const jobs = await reads.failedJobs(source.runId).catch(() => []);
    failedJobs.push(...jobs.map((job) => ({ ...job, workflowPath: source.workflowPath })));
  }
  options.onFailedJobs?.(failedJobs);
  const others = sources.filter((s) => s.type !== "workflow_run");
  const shown = failedJobs.slice(0, maxJobs);
  const parts = Math.max(1, shown.length + others.length);
  const budget = Math.max(MIN_SECTION_BYTES, Math.floor((options.budgetBytes ?? DEFAULT_BUDGET_BYTES) / parts));

  const jobs: JobEvidence[] = [];
  const sections: string[] = [];
  for (const job of shown) {
    const [log, annotations] = await Promise.all([
      reads.jobLog(job.id).catch((error: unknown) => `(the job's log could not be read: ${(error as Error).message})`),
      reads.annotations(job.id),
    ]);
    const failedStep = job.failedSteps[0];
    const distilled = distillLog(log, {
      budgetBytes: budget,
      ...(failedStep !== undefined ? { failedStep } : {}),
      ...(options.repoFiles ? { repoFiles: options.repoFiles } : {}),
    });
    const evidence: JobEvidence = {
      jobId: job.id,
      jobName: job.name,
      conclusion: job.conclusion,
      failedStep,
      url: jobLink(job, failedStep),
      excerpt: withinBudget(redact(distilled.excerpt), budget),
      references: distilled.references,
      stats: distilled.stats,
    };
    jobs.push(evidence);
    sections.push(renderJob(evidence, annotations));
  }
  for (const source of others) sections.push(await describeOther(reads, source, budget, redact));
  if (failedJobs.length > shown.length) sections.push(`(${failedJobs.length - shown.length} more failed jobs not shown)`);
  return { text: sections.join("\n\n"), failedJobs, jobs };
}

function renderJob(job: JobEvidence, annotations: string): string {
  const title = `Job "${job.jobName}" (${job.conclusion})${job.failedStep ? `, failed step "${job.failedStep}"` : ""}`;
  return [title, job.url, annotations, job.excerpt].filter(Boolean).join("\n");
}

async function describeOther(reads: EvidenceReads, source: FailureSource, budget: number, redact: Redactor): Promise<string> {
  if (source.type === "status") {
    return `Commit status "${source.context}" failed: ${source.description || "(no description)"}${source.targetUrl ? ` — ${source.targetUrl}` : ""}`;
  }
  if (source.type !== "check_run") return "";
  const output = await reads.checkRunOutput(source.checkRunId).catch(() => "(the check run's output could not be read)");
  const annotations = await reads.annotations(source.checkRunId);
  const { excerpt } = distillLog(output, { budgetBytes: budget });
  return [`Check "${source.name}" from ${source.app} failed:`, annotations, withinBudget(redact(excerpt), budget)].filter(Boolean).join("\n");
}

/** Link to a job's log, scrolled to its failed step when known. */
function jobLink(job: FailedJob, failedStep: string | undefined): string | undefined {
  if (!job.htmlUrl) return undefined;
  const step = job.steps.find((s) => s.name === failedStep);
  return step ? `${job.htmlUrl}#step:${step.number}:1` : job.htmlUrl;
}

/** Redaction may lengthen a short secret: cut at a line boundary if it did. */
function withinBudget(text: string, budget: number): string {
  if (utf8Length(text) <= budget) return text;
  const head = utf8Head(text, budget);
  const nl = head.lastIndexOf("\n");
  return nl > 0 ? head.slice(0, nl) : head;
}
