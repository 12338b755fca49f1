import type { FixOutcome } from "../../agent/fix-request.ts";
import type { DiffPolicy } from "../../security/check-diff-policy.ts";
import type { Workspace } from "../../workspace/types.ts";
import type { JobContext } from "../job-context.ts";
import type { Budget } from "./1-admit.ts";
import type { Reproduction } from "./4-reproduce.ts";
import { INVESTIGATOR_SHARE, timeLeft, type Brief } from "./6-investigate.ts";
import { verify, type Verdict } from "./8-verify.ts";

export interface Candidate {
  index: number;
  workspace: Workspace;
  outcome: FixOutcome;
  verdict: Verdict | null;
}

export interface FixResult {
  diagnosis: FixOutcome;
  candidates: Candidate[];
  /** The passing candidate with the smallest diff, if any. */
  winner: Candidate | null;
}

/**
 * Stage 7: K fixers, each in its own workspace, start from the investigator's
 * diagnosis in parallel; each candidate is verified whatever it claimed
 * (stage 8). The winner is a passing candidate with the smallest diff; losing
 * workspaces are disposed here.
 */
export async function fixInParallel(
  ctx: JobContext,
  args: { diagnosis: FixOutcome; base: Workspace; sha: string; candidates: number; budget: Budget; reproduction: Reproduction; policy: DiffPolicy; brief: Brief },
): Promise<FixResult> {
  const { budget, diagnosis } = args;
  ctx.checkpoint();

  const workspaces: Workspace[] = [args.base];
  try {
    for (let i = 1; i < args.candidates; i++) workspaces.push(await ctx.forkWorkspace(args.base, args.sha));
  } catch (error) {
    // Fewer candidates is still a fix attempt; say so and go on.
    ctx.record("fork_failed", { message: ctx.deps.redact((error as Error).message), candidates: workspaces.length });
  }

  ctx.progress("Fixing", { index: 1, of: workspaces.length });
  const perFixer = { turns: budget.turns, tokens: Math.floor((budget.tokens * (1 - INVESTIGATOR_SHARE)) / workspaces.length) };
  const outcomes = await Promise.all(
    workspaces.map((workspace, index) =>
      ctx.deps.fix({
        ...args.brief,
        role: "fixer",
        candidate: { index: index + 1, of: workspaces.length },
        workspace,
        diagnosis: diagnosis.summary,
        limits: { ...perFixer, deadlineMs: timeLeft(ctx, budget) },
        onEvent: (kind, data) => {
          ctx.record(`fixer${index + 1}.${kind}`, data);
          ctx.progress("Fixing", { index: index + 1, of: workspaces.length }); // the candidate that moved last, paced
        },
        onUsage: ctx.spend,
      }),
    ),
  );

  const candidates: Candidate[] = [];
  for (const [index, workspace] of workspaces.entries()) {
    const outcome = outcomes[index]!;
    ctx.progress("Verifying", { index: index + 1, of: workspaces.length }); // 8
    // A cancelled run, or one that ended on a model error (its summary is the provider's message), is not
    // verified and never delivered; anything else is verified, whatever the agent claimed.
    const verdict =
      outcome.status === "cancelled" || outcome.modelError !== undefined || ctx.signal.aborted
        ? null
        : await verify({ deps: ctx.deps, workspace, reproduction: args.reproduction, baseSha: args.sha, policy: args.policy, allowTestChanges: args.brief.issueMode, signal: ctx.signal });
    candidates.push({ index: index + 1, workspace, outcome, verdict });
    ctx.record("candidate", {
      index: index + 1,
      status: outcome.status,
      passed: verdict?.passed ?? false,
      changedLines: verdict ? verdict.diff.insertions + verdict.diff.deletions : null,
      problems: verdict?.problems ?? [],
      verifyMs: verdict?.durationMs ?? 0,
    });
  }

  const winner = candidates.filter((c) => c.verdict?.passed).sort((a, b) => changed(a) - changed(b) || a.index - b.index)[0] ?? null;
  for (const c of candidates) if (c !== winner && c.workspace !== args.base) await c.workspace.dispose();
  return { diagnosis, candidates, winner };
}

function changed(c: Candidate): number {
  return c.verdict ? c.verdict.diff.insertions + c.verdict.diff.deletions : Number.POSITIVE_INFINITY;
}

/** One line per candidate for reports: what it did and why it lost or won. */
export function describeCandidates(result: FixResult): string {
  return result.candidates
    .map((c) => {
      const v = c.verdict;
      const state = c.outcome.modelError !== undefined ? `model error: ${c.outcome.modelError.split("\n")[0]?.slice(0, 300) ?? ""}` : !v ? `not verified (${c.outcome.status})` : v.passed ? `passed, ${changed(c)} changed lines` : `rejected: ${v.problems.join("; ")}`;
      return `- candidate ${c.index}${c === result.winner ? " (chosen)" : ""}: ${state}`;
    })
    .join("\n");
}
