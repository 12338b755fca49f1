import type { BumpPrBodyInput } from "../../advisories/render-bump-pr-body.ts";
import type { RepoConfig } from "../../config/repo-config.ts";
import { fence, tail } from "../../github/markdown.ts";
import type { AdvisoryTrigger } from "../../queue/job.ts";
import type { CommandResult, Workspace } from "../../workspace/types.ts";
import type { JobContext } from "../job-context.ts";
import type { Target } from "../origins/origin.ts";
import type { Budget } from "../stages/1-admit.ts";
import { REPORT_EXCERPT_CHARS, reproduce, setupFailedReport } from "../stages/4-reproduce.ts";
import { briefFor, investigate } from "../stages/6-investigate.ts";
import { describeCandidates, fixInParallel } from "../stages/7-fix.ts";
import { diffPolicyFor } from "../stages/diff-policy-for.ts";

export type Tested =
  /** The tests pass as they are. */
  | { kind: "green"; command: string; before: CommandResult }
  /** They failed, and the agent's verified change, committed in `workspace`, makes them pass. */
  | { kind: "fixed"; command: string; before: CommandResult; workspace: Workspace; fix: NonNullable<BumpPrBodyInput["fix"]> };

/**
 * Stage 5 of a bump job: the repository's tests with the new versions (the
 * reproduction planner's fallback to `commands` / package.json: there is no
 * failed CI job). When red, stages 6–8 of a fix job with the upgrade's files
 * protected and our instructions first; the verified change is committed.
 * Ends the job when setup fails or no fix passes.
 */
export async function testUpgrade(
  ctx: JobContext,
  args: {
    advisory: AdvisoryTrigger;
    config: RepoConfig;
    budget: Budget;
    workspace: Workspace;
    /** The commit the workspace is at (the agent's diff is taken against it) and the branch. */
    target: Target;
    /** The upgrade's files: protected from the agent. */
    files: readonly string[];
    /** Most parallel fixers. */
    candidates: number;
    /** Our guidance for the agent, ahead of the repository's. */
    instructions: string;
    changelog(): Promise<string>;
    evidence(changelog: string): string;
  },
): Promise<Tested> {
  const { config, target, advisory } = args;
  // No re-runs: a green run is simply green here, not a "flaky" verdict to confirm.
  const reproduction = await reproduce(ctx, { workspace: args.workspace, target, failedJob: undefined, config, reruns: 0 });
  const { workspace } = reproduction;
  const { outcome, before } = reproduction;
  const command = reproduction.fullTestCommand ?? reproduction.failingCommand;
  if (outcome.verdict === "setup_failed") {
    ctx.end({ result: { state: "failed", summary: "setup failed" }, report: setupFailedReport(outcome, "Setup failed after the upgrade", "Nothing was pushed.", reproduction.toolchains) });
  }
  if (outcome.verdict !== "red") return { kind: "green", command, before };

  const changelog = await args.changelog().catch(() => "");
  ctx.record("changelog", { chars: changelog.length });
  const protectedConfig: RepoConfig = { ...config, candidates: Math.min(config.candidates, args.candidates), protected_paths: [...config.protected_paths, ...args.files] };
  const brief = await briefFor(ctx, { config: protectedConfig, reproduction, evidence: args.evidence(changelog), issueMode: false, guidance: args.instructions });
  const diagnosis = await investigate(ctx, { workspace, brief, budget: args.budget });
  const policy = diffPolicyFor(protectedConfig, ctx.deps.redact, { lockfiles: true });
  const result = await fixInParallel(ctx, { diagnosis, base: workspace, sha: target.sha, candidates: protectedConfig.candidates, budget: args.budget, reproduction, policy, brief });
  ctx.checkpoint();
  const winner = result.winner;
  if (!winner?.verdict) {
    ctx.end({
      result: { state: "failed", summary: "no verified fix for the upgrade" },
      report: {
        conclusion: "failure",
        title: `The tests fail with the new version of ${advisory.package}`,
        summary: `\`${reproduction.failingCommand}\` fails after the upgrade and Patchwright could not adapt the code; nothing was pushed.\n\n${describeCandidates(result)}\n\n**Diagnosis** (${result.diagnosis.status}):\n\n${result.diagnosis.summary || "(none)"}`,
        details: fence(tail(before.output, REPORT_EXCERPT_CHARS)),
      },
    });
  }
  const { deps } = ctx;
  await deps.commit(winner.workspace, winner.verdict.diff.tree, `Adapt the code to ${advisory.package}'s new version\n\n${deps.redact(winner.outcome.summary)}`, await deps.botIdentity(ctx.payload.installationId));
  return {
    kind: "fixed",
    command,
    before,
    workspace: winner.workspace,
    fix: { summary: winner.outcome.summary, diagnosis: result.diagnosis.summary, after: winner.verdict.after, diff: winner.verdict.diff, trace: winner.outcome.trace, usage: { turns: winner.outcome.turns, ...winner.outcome.usage }, changelog },
  };
}
