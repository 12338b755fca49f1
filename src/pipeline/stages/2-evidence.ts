import type { Evidence, FailedWorkflowJob } from "../../evidence/gather-evidence.ts";
import type { JobContext } from "../job-context.ts";

/**
 * Stage 2: the failed run's jobs and logs (or other CI's output), distilled
 * for the model. `onFailedJobs` is told the failed jobs as soon as they are
 * listed, before their logs are read.
 */
export async function gatherFailureEvidence(ctx: JobContext, sha: string, options: { onFailedJobs?: (jobs: readonly FailedWorkflowJob[]) => void } = {}): Promise<Evidence> {
  ctx.progress("Gathering evidence");
  const evidence = await ctx.deps.gatherEvidence(ctx.github.reads, ctx.origin.failureSources, options);
  ctx.record("evidence", { sha, bytes: evidence.text.length, failedJobs: evidence.failedJobs.map((j) => j.name) });
  return evidence;
}
