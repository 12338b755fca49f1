import type { Workspace } from "../../workspace/types.ts";
import type { JobContext } from "../job-context.ts";

/** Stage 3: a checkout at the commit under repair, its sandbox ready; disposed when the job ends. */
export async function openJobWorkspace(ctx: JobContext, sha: string): Promise<Workspace> {
  ctx.progress("Opening a workspace");
  const workspace = await ctx.openWorkspace(sha);
  ctx.record("workspace", { sha, isolation: workspace.sandbox.isolation ?? "bubblewrap", notes: workspace.sandbox.notes ?? [] });
  return workspace;
}
