/**
 * Finds, in a parsed workflow, the job and matrix combination GitHub reports
 * as failed (by rendering every job's display name per combination), then
 * lines the API's steps up with the file's to find the failed step. GitHub
 * adds steps that are not in the file (`Set up job`, `Initialize containers`,
 * `Post …`, `Complete job`): the alignment skips them.
 */
import { z } from "zod";
import type { ExpressionContext } from "./evaluate-expression.ts";
import { jobNamePatterns, stepNamePattern } from "./display-names.ts";
import { type Combination, expandMatrix } from "./expand-matrix.ts";
import type { Workflow, WorkflowJob } from "./parse-workflow.ts";

/** A job as `GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs` reports it (fields used here). */
export const ReportedJob = z.object({
  name: z.string(),
  steps: z
    .array(z.object({ name: z.string(), number: z.number().int(), conclusion: z.string().nullish(), status: z.string().optional() }))
    .nullish(),
});
export type ReportedJob = z.input<typeof ReportedJob>;

export interface JobMatch {
  readonly job: WorkflowJob;
  readonly combination: Combination;
  /** The job's name as GitHub reported it. */
  readonly displayName: string;
  /** Index in `job.steps` of the step that failed; null when the API did not say. */
  readonly failedStepIndex: number | null;
  /** The API's conclusion (`success`, `skipped`, ...) of each step it reported, by index in `job.steps`. */
  readonly conclusions: ReadonlyMap<number, string | null>;
  /** The API's name of each aligned step, by index in `job.steps`. */
  readonly apiNames: ReadonlyMap<number, string>;
  /** How the match was made when it was not certain. */
  readonly notes: readonly string[];
  /** False when the job or step was matched by a guess (ambiguity, position). */
  readonly certain: boolean;
}

export type MatchResult = { ok: true; match: JobMatch } | { ok: false; error: string };

const FAILED = ["failure", "timed_out", "cancelled"];
const SYNTHETIC = /^(Set up job|Initialize containers|Pre .+)$/;

/**
 * @param context `github.*`/`runner.*` for rendering names; `env` and `matrix` are filled in here.
 */
export function matchFailedJob(workflow: Workflow, failedJob: ReportedJob, context: Pick<ExpressionContext, "github" | "runner">): MatchResult {
  const parsed = ReportedJob.safeParse(failedJob);
  if (!parsed.success) return { ok: false, error: "the failed job from the jobs API has no usable `name`/`steps`" };
  const apiJob = parsed.data;
  const notes: string[] = [];
  let certain = true;

  const candidates: { job: WorkflowJob; combination: Combination }[] = [];
  const unexpanded: string[] = [];
  for (const job of workflow.jobs) {
    const expanded = expandMatrix(job.matrix);
    if (!expanded.ok) {
      unexpanded.push(`${job.id}: ${expanded.error}`);
      continue;
    }
    for (const combination of expanded.combinations) {
      const env = { ...workflow.env.values, ...job.env.values };
      const patterns = jobNamePatterns(job, combination, { ...context, matrix: combination, env });
      if (patterns.some((pattern) => pattern.test(apiJob.name))) candidates.push({ job, combination });
    }
  }
  const found = candidates[0];
  if (found === undefined) {
    const why = unexpanded.length > 0 ? ` (not compared: ${unexpanded.join("; ")})` : "";
    const reusable = workflow.jobs.some((job) => job.usesWorkflow !== undefined) && apiJob.name.includes(" / ");
    return {
      ok: false,
      error: reusable
        ? `job \`${apiJob.name}\` runs in a reusable workflow, which is not followed`
        : `no job of the workflow is displayed as \`${apiJob.name}\`${why}`,
    };
  }
  if (candidates.length > 1) {
    certain = false;
    notes.push(`${candidates.length} jobs or matrix combinations are displayed as \`${apiJob.name}\`; using the first (\`${found.job.id}\`).`);
  }
  const { job, combination } = found;
  if (job.usesWorkflow !== undefined) {
    return { ok: false, error: `job \`${job.id}\` calls the reusable workflow \`${job.usesWorkflow}\`, which is not followed` };
  }

  // Align the API's steps with the file's, in order; API steps that match no file step are GitHub's own.
  const env = { ...workflow.env.values, ...job.env.values };
  const stepContext = { ...context, matrix: combination, env };
  const patterns = job.steps.map((step) => stepNamePattern(step, stepContext));
  const apiSteps = [...(apiJob.steps ?? [])].sort((a, b) => a.number - b.number);
  const conclusions = new Map<number, string | null>();
  const apiNames = new Map<number, string>();
  const alignedNumber = new Map<number, number>(); // api step number → file index
  let next = 0;
  for (const apiStep of apiSteps) {
    const at = patterns.findIndex((pattern, i) => i >= next && pattern.test(apiStep.name));
    if (at < 0) continue;
    conclusions.set(at, apiStep.conclusion ?? null);
    apiNames.set(at, apiStep.name);
    alignedNumber.set(apiStep.number, at);
    next = at + 1;
  }

  const failedApiSteps = apiSteps.filter((s) => FAILED.includes(s.conclusion ?? ""));
  const failedApi =
    failedApiSteps.find((s) => s.conclusion === "failure" && continuesOnError(job, alignedNumber.get(s.number)) === false) ??
    failedApiSteps.find((s) => s.conclusion === "failure") ??
    failedApiSteps[0];
  let failedStepIndex: number | null = null;
  if (failedApi === undefined) {
    certain = false;
    notes.push(`The jobs API did not say which step of \`${apiJob.name}\` failed: every step of the job is reproduced.`);
  } else if (alignedNumber.has(failedApi.number)) {
    failedStepIndex = alignedNumber.get(failedApi.number) ?? null;
  } else if (/^(Set up job|Initialize containers|Complete job|Stop containers|Post .+)$/.test(failedApi.name)) {
    return { ok: false, error: `job \`${apiJob.name}\` failed in GitHub's own step \`${failedApi.name}\`, not in a step of the workflow` };
  } else {
    // The name did not match (a name computed at run time, say): fall back on the step number.
    const anchor = [...alignedNumber.entries()][0];
    const firstNumber = anchor ? anchor[0] - anchor[1] : 1 + apiSteps.filter((s) => SYNTHETIC.test(s.name)).length;
    const index = failedApi.number - firstNumber;
    if (index < 0 || index >= job.steps.length) {
      return { ok: false, error: `the failed step \`${failedApi.name}\` (number ${failedApi.number}) matches no step of job \`${job.id}\`` };
    }
    certain = false;
    failedStepIndex = index;
    notes.push(`The failed step \`${failedApi.name}\` was matched by its position (step ${index + 1} of job \`${job.id}\`), not by its name.`);
  }
  return { ok: true, match: { job, combination, displayName: apiJob.name, failedStepIndex, conclusions, apiNames, notes, certain } };
}

function continuesOnError(job: WorkflowJob, index: number | undefined): boolean | undefined {
  if (index === undefined) return undefined;
  return job.steps[index]?.continueOnError === true;
}
