import type { FixOutcome, FixRequest } from "../../agent/fix-request.ts";
import type { RepoConfig } from "../../config/repo-config.ts";
import { BUILTIN_PROTECTED_PATHS } from "../../security/protected-paths.ts";
import type { Workspace } from "../../workspace/types.ts";
import type { JobContext } from "../job-context.ts";
import type { Budget } from "./1-admit.ts";
import type { Reproduction } from "./4-reproduce.ts";

/** What every agent role of a job is told; each role adds its workspace, limits and handoff. */
export type Brief = Omit<FixRequest, "role" | "candidate" | "workspace" | "limits" | "diagnosis" | "onEvent" | "onUsage">;

/**
 * The brief of a job's agents: the reproduction's failing command and result,
 * the evidence, the protected paths (built-in ones first), and the trusted
 * instructions: `guidance` of ours first, then AGENTS.md / copilot
 * instructions from the default branch, then the config's `instructions`.
 */
export async function briefFor(
  ctx: JobContext,
  args: { config: RepoConfig; reproduction: Reproduction; evidence: string; issueMode: boolean; request?: FixRequest["request"] | undefined; guidance?: string },
): Promise<Brief> {
  const { config, reproduction } = args;
  const instructions = [args.guidance ?? "", await ctx.github.reads.agentInstructions(ctx.payload.repo.defaultBranch), config.instructions];
  return {
    repoFullName: ctx.repoFullName,
    config,
    protectedPaths: [...BUILTIN_PROTECTED_PATHS, ...config.protected_paths],
    failingCommand: reproduction.failingCommand,
    failingResult: reproduction.before,
    evidence: args.evidence,
    repoInstructions: instructions.filter((s) => s.trim()).join("\n\n"),
    ...(args.request ? { request: args.request } : {}),
    issueMode: args.issueMode,
    signal: ctx.signal,
  };
}

/** Share of the token and turn budget the investigator may use; the fixers split the rest. */
export const INVESTIGATOR_SHARE = 0.2;

/** Milliseconds left of the job's `budget.minutes`. */
export function timeLeft(ctx: JobContext, budget: Budget): number {
  return Math.max(0, budget.minutes * 60_000 - (ctx.deps.now() - ctx.startedAt));
}

/**
 * Stage 6: a read-only investigator diagnoses the failure (root cause, files,
 * confidence, fix idea): a compact handoff for the fixers, not a transcript.
 */
export async function investigate(ctx: JobContext, args: { workspace: Workspace; brief: Brief; budget: Budget }): Promise<FixOutcome> {
  const { budget } = args;
  ctx.progress("Investigating");
  const diagnosis = await ctx.deps.fix({
    ...args.brief,
    role: "investigator",
    workspace: args.workspace,
    limits: {
      turns: Math.max(3, Math.floor(budget.turns * INVESTIGATOR_SHARE)),
      tokens: Math.floor(budget.tokens * INVESTIGATOR_SHARE),
      deadlineMs: Math.floor(timeLeft(ctx, budget) * INVESTIGATOR_SHARE),
    },
    onEvent: (kind, data) => ctx.record(`investigator.${kind}`, data),
    onUsage: ctx.spend,
  });
  ctx.record("diagnosis", { status: diagnosis.status, summary: diagnosis.summary, usage: diagnosis.usage });
  return diagnosis;
}
