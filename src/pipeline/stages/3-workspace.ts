import type { Evidence } from "../../evidence/gather-evidence.ts";
import type { Workspace } from "../../workspace/types.ts";
import type { JobContext } from "../job-context.ts";
import { gatherFailureEvidence } from "./2-evidence.ts";

/**
 * Stage 3: a checkout at the commit under repair, its sandbox ready; disposed
 * when the job ends. `alongside`: opened while another stage is shown (it
 * needs nothing that stage produces).
 */
export async function openJobWorkspace(ctx: JobContext, sha: string, options: { alongside?: boolean } = {}): Promise<Workspace> {
  const open = async () => {
    const workspace = await ctx.openWorkspace(sha);
    ctx.record("workspace", { sha, isolation: workspace.sandbox.isolation ?? "bubblewrap", notes: workspace.sandbox.notes ?? [] });
    return workspace;
  };
  if (options.alongside) return ctx.alongside(WORKSPACE_STAGE, open);
  ctx.progress(WORKSPACE_STAGE);
  return open();
}

const WORKSPACE_STAGE = "Opening a workspace";

/**
 * Stages 2 and 3 at once when the job speculates: the checkout does not
 * depend on the evidence, and both mostly wait (GitHub's API, git). Either
 * failure is the job's (the evidence's first, as when they ran in turn); a
 * workspace opened meanwhile is disposed with the job like any other.
 */
export async function evidenceAndWorkspace(ctx: JobContext, sha: string): Promise<{ evidence: Evidence; workspace: Workspace }> {
  if (!ctx.deps.speculate) {
    const evidence = await gatherFailureEvidence(ctx, sha);
    return { evidence, workspace: await openJobWorkspace(ctx, sha) };
  }
  const [evidence, workspace] = await Promise.allSettled([gatherFailureEvidence(ctx, sha), openJobWorkspace(ctx, sha, { alongside: true })]);
  if (evidence.status === "rejected") throw evidence.reason;
  if (workspace.status === "rejected") throw workspace.reason;
  return { evidence: evidence.value, workspace: workspace.value };
}
