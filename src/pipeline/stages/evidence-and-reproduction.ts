import type { RepoConfig } from "../../config/repo-config.ts";
import type { Evidence, FailedWorkflowJob } from "../../evidence/gather-evidence.ts";
import type { JobContext } from "../job-context.ts";
import type { Target } from "../origins/origin.ts";
import { gatherFailureEvidence } from "./2-evidence.ts";
import { openJobWorkspace } from "./3-workspace.ts";
import { reproduce, type Reproduction } from "./4-reproduce.ts";

/**
 * Stages 2 to 4: the evidence, a workspace, the reproduction. One after the
 * other, or, when the job speculates (`PATCHWRIGHT_SPECULATE`), each as soon
 * as what it needs is there: the workspace opens while the failed jobs are
 * listed (it needs only the commit), and the reproduction (setup included)
 * starts once it has the workspace and the failed job to reproduce, while
 * the logs are still read and distilled. None of it writes to GitHub or
 * calls the model. Failures are the job's as in sequence (the evidence's
 * first); everything started is awaited before one propagates, and a
 * workspace opened meanwhile is disposed with the job like any other.
 */
export async function evidenceAndReproduction(
  ctx: JobContext,
  args: { target: Target; config: RepoConfig; reruns: number },
): Promise<{ evidence: Evidence; reproduction: Reproduction }> {
  const { target, config, reruns } = args;
  if (!ctx.deps.speculate) {
    const evidence = await gatherFailureEvidence(ctx, target.sha);
    const workspace = await openJobWorkspace(ctx, target.sha);
    return { evidence, reproduction: await reproduce(ctx, { workspace, target, failedJob: evidence.failedJobs[0], config, reruns }) };
  }
  let listed!: (jobs: readonly FailedWorkflowJob[]) => void;
  const listing = new Promise<readonly FailedWorkflowJob[]>((resolve) => (listed = resolve));
  const evidence = gatherFailureEvidence(ctx, target.sha, { onFailedJobs: listed });
  // Rejects when the evidence fails before its jobs are listed: then nothing is reproduced.
  const failedJobs = Promise.race([listing, evidence.then((e) => e.failedJobs)]);
  const workspace = openJobWorkspace(ctx, target.sha, { alongside: true });
  // The logs' share of the evidence, from the listing on: the time it overlaps the reproduction.
  const logs = failedJobs.then(() => ctx.alongside("Reading the logs", () => evidence));
  const reproduction = Promise.all([workspace, failedJobs]).then(([checkout, jobs]) =>
    reproduce(ctx, { workspace: checkout, target, failedJob: jobs[0], config, reruns }),
  );
  const [gathered, reproduced, opened] = await Promise.allSettled([logs, reproduction, workspace]);
  if (gathered.status === "rejected") throw gathered.reason;
  if (opened.status === "rejected") throw opened.reason;
  if (reproduced.status === "rejected") throw reproduced.reason;
  return { evidence: gathered.value, reproduction: reproduced.value };
}
