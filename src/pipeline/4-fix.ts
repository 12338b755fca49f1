import type { RepoConfig } from "../config/repo-config.ts";
import type { JobPayload } from "../queue/job.ts";
import type { Reproduction } from "./3-reproduce.ts";
import { verify, type Verdict } from "./5-verify.ts";
import type { FixOutcome, FixRequest, PipelineDeps, Workspace } from "./pipeline-deps.ts";

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

/** Share of the token and turn budget the investigator may use; the fixers split the rest. */
const INVESTIGATOR_SHARE = 0.2;

/**
 * Stage 4 + 5: an investigator (read-only) diagnoses; K fixers, each in its own
 * workspace, start from that diagnosis in parallel; each candidate is verified
 * (tests re-run, diff checked against policy). The winner is a passing
 * candidate with the smallest diff. Losing workspaces are disposed here.
 */
export async function findFix(args: {
  deps: PipelineDeps;
  base: Workspace;
  sha: string;
  token: string;
  cloneUrl: string;
  installationId: number;
  config: RepoConfig;
  /** What this job may spend (the config's budget, capped by cost and the daily allowance). */
  budget: { turns: number; tokens: number; minutes: number };
  reproduction: Reproduction;
  kind: JobPayload["kind"];
  brief: Omit<FixRequest, "role" | "candidate" | "workspace" | "limits" | "diagnosis" | "onEvent">;
  record(kind: string, data: unknown): void;
  startedAt: number;
}): Promise<FixResult> {
  const { deps, config, record } = args;
  const budget = args.budget;
  const deadlineMs = () => Math.max(0, budget.minutes * 60_000 - (deps.now() - args.startedAt));
  const k = config.candidates;

  const diagnosis = await deps.fix({
    ...args.brief,
    role: "investigator",
    workspace: args.base,
    limits: {
      turns: Math.max(3, Math.floor(budget.turns * INVESTIGATOR_SHARE)),
      tokens: Math.floor(budget.tokens * INVESTIGATOR_SHARE),
      deadlineMs: Math.floor(deadlineMs() * INVESTIGATOR_SHARE),
    },
    onEvent: (kind, data) => record(`investigator.${kind}`, data),
  });
  record("diagnosis", { status: diagnosis.status, summary: diagnosis.summary, usage: diagnosis.usage });
  if (args.brief.signal.aborted) return { diagnosis, candidates: [], winner: null };

  const workspaces: Workspace[] = [args.base];
  try {
    for (let i = 1; i < k; i++) workspaces.push(await deps.forkWorkspace(args.base, args.sha, args.token, args.cloneUrl, args.installationId));
  } catch (error) {
    // Fewer candidates is still a fix attempt; say so and go on.
    record("fork_failed", { message: deps.redact((error as Error).message), candidates: workspaces.length });
  }

  const perFixer = {
    turns: budget.turns,
    tokens: Math.floor((budget.tokens * (1 - INVESTIGATOR_SHARE)) / workspaces.length),
  };
  const outcomes = await Promise.all(
    workspaces.map((workspace, index) =>
      deps.fix({
        ...args.brief,
        role: "fixer",
        candidate: { index: index + 1, of: workspaces.length },
        workspace,
        diagnosis: diagnosis.summary,
        limits: { ...perFixer, deadlineMs: deadlineMs() },
        onEvent: (kind, data) => record(`fixer${index + 1}.${kind}`, data),
      }),
    ),
  );

  const candidates: Candidate[] = [];
  for (const [index, workspace] of workspaces.entries()) {
    const outcome = outcomes[index]!;
    // A cancelled run is not verified; anything else is, whatever the agent claimed.
    const verdict =
      outcome.status === "cancelled" || args.brief.signal.aborted
        ? null
        : await verify({ deps, workspace, reproduction: args.reproduction, kind: args.kind, baseSha: args.sha, config, protectedPaths: args.brief.protectedPaths, signal: args.brief.signal });
    candidates.push({ index: index + 1, workspace, outcome, verdict });
    record("candidate", {
      index: index + 1,
      status: outcome.status,
      passed: verdict?.passed ?? false,
      changedLines: verdict ? verdict.diff.insertions + verdict.diff.deletions : null,
      problems: verdict?.problems ?? [],
    });
  }

  const winner =
    candidates
      .filter((c) => c.verdict?.passed)
      .sort((a, b) => changed(a) - changed(b) || a.index - b.index)[0] ?? null;
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
      const state = !v ? `not verified (${c.outcome.status})` : v.passed ? `passed, ${changed(c)} changed lines` : `rejected: ${v.problems.join("; ")}`;
      return `- candidate ${c.index}${c === result.winner ? " (chosen)" : ""}: ${state}`;
    })
    .join("\n");
}
