import type { Evidence } from "../../evidence/gather-evidence.ts";
import type { JobContext } from "../job-context.ts";

/** Stage 2: the failed run's jobs and logs (or other CI's output), distilled for the model. */
export async function gatherFailureEvidence(ctx: JobContext, sha: string): Promise<Evidence> {
  ctx.progress("Gathering evidence");
  const evidence = await ctx.deps.gatherEvidence(ctx.github.reads, ctx.origin.failureSources);
  ctx.record("evidence", { sha, bytes: evidence.text.length, failedJobs: evidence.failedJobs.map((j) => j.name) });
  return evidence;
}
