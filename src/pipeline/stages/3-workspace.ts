import type { Workspace } from "../../workspace/types.ts";
import type { JobContext } from "../job-context.ts";

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

