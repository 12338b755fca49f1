import { BUILTIN_PROTECTED_PATHS } from "../config/repo-config.ts";
import { toOutcome } from "../errors.ts";
import { acknowledge } from "../github/acknowledge.ts";
import { loadAgentInstructions } from "../github/load-agent-instructions.ts";
import { reportOutcome, reportStarted, type Report } from "../github/report.ts";
import { resolveTarget } from "../github/resolve-target.ts";
import type { Octokit } from "../github/types.ts";
import { JobCancelled, SHUTDOWN } from "../queue/job-cancelled.ts";
import type { JobRecord } from "../queue/job.ts";
import type { JobResult } from "../queue/start-worker.ts";
import type { PipelineDeps, Workspace } from "./pipeline-deps.ts";
import { admitJob } from "./0-admit-job.ts";
import { lastStepResult, reproduceFailure, stopUnlessRed } from "./3-reproduce.ts";
import { describeCandidates, findFix } from "./4-fix.ts";
import { tryRecipes } from "./4-try-recipes.ts";
import { deliver } from "./6-deliver.ts";
import { describeFailure } from "../github/describe-job.ts";
import { outputExcerpt } from "./describe.ts";

/** Until the repository's config is read (its `max_attempts` then decides). */
const DEFAULT_MAX_ATTEMPTS = 3;

/**
 * One fix job, as numbered stages:
 *   0. config      .github/patchwright.yml from the default branch
 *   1. evidence    the failed run's jobs and logs, distilled
 *   2. workspace   a clone at the failing commit, sandbox ready
 *   3. reproduce   setup + test command → red confirmed, or stop
 *   4. fix         the agent edits the workspace
 *   5. verify      the test command again, and the diff policy
 *   6. deliver     branch, pull request, report
 * Every ending is reported on GitHub; errors map to an outcome in one place.
 */
export async function runFixJob(job: JobRecord, deps: PipelineDeps, signal: AbortSignal): Promise<JobResult> {
  const { payload } = job;
  const startedAt = deps.now();
  const { owner, name } = payload.repo;
  const log = deps.log.child({ jobId: job.id, repo: `${owner}/${name}` });
  const repoFullName = `${owner}/${name}`;
  const spent = { tokens: 0, costUsd: 0 };
  const record = (kind: string, data: unknown) => {
    deps.ledger(job.id, kind, data);
    if (kind.endsWith("agent.model_call")) {
      const call = data as { promptTokens: number; completionTokens: number };
      const cost = deps.usage.cost(call);
      spent.tokens += call.promptTokens + call.completionTokens;
      spent.costUsd += cost;
      deps.usage.record(job.id, repoFullName, call.promptTokens + call.completionTokens, cost);
    }
  };
  let octokit: Octokit | undefined;
  let ackId = job.ackId;
  let workspace: Workspace | undefined;
  const report = async (r: Report) => {
    record("report", r);
    if (octokit) await reportOutcome(octokit, job, r, deps.redact, ackId);
  };

  /** `/agent stop` is reported and ends the job; a shutting-down worker puts it back. */
  const aborted = async (s: AbortSignal): Promise<JobResult> => {
    if (!(s.reason instanceof JobCancelled)) return { state: "retry", delayMs: 0, reason: SHUTDOWN };
    await report({ conclusion: "cancelled", title: "Stopped", summary: `Stopped by @${s.reason.by} with \`/agent stop\`. Nothing was pushed.` }).catch(
      (error: unknown) => log.error({ err: error }, "could not report the stop"),
    );
    return { state: "cancelled", summary: s.reason.message };
  };

  let maxAttempts = DEFAULT_MAX_ATTEMPTS;
  try {
    octokit = await deps.octokitFor(payload.installationId);

    // 0. admission: config, relevance, daily budget
    const admission = await admitJob(octokit, payload, deps);
    if (!admission.admitted) {
      // Failures are always shown; a skip only closes an acknowledgement already made (no new check run per red commit).
      if (admission.report && (admission.state === "failed" || ackId !== null || payload.trigger.type === "comment")) await report(admission.report);
      return { state: admission.state, summary: admission.summary };
    }
    const { config, spentToday: today } = admission;
    maxAttempts = config.max_attempts;
    const b = config.budget;
    if (ackId === null && payload.trigger.type === "ci") {
      // The acknowledgement was lost (e.g. the process stopped right after the webhook).
      // Progress reports are courtesy: a GitHub that refuses them must not stop the fix.
      ackId = await acknowledge(octokit, job).catch((error: unknown) => (log.warn({ err: error }, "could not acknowledge"), null));
      if (ackId !== null) record("ack", { checkRunId: ackId });
    }
    await reportStarted(octokit, job, ackId).catch((error: unknown) => log.warn({ err: error }, "could not mark the check run in progress"));

    // 1. evidence
    const target = await resolveTarget(octokit, payload);
    const evidence = await deps.gatherEvidence(octokit, payload);
    record("evidence", { sha: target.sha, bytes: evidence.text.length, failedJobs: evidence.failedJobs.map((j) => j.name) });

    // 2. workspace
    const token = await deps.mintToken(payload.installationId, name);
    workspace = await deps.openWorkspace({ cloneUrl: payload.repo.cloneUrl, sha: target.sha, token, installationId: payload.installationId });
    record("workspace", { sha: target.sha, isolation: workspace.sandbox.isolation ?? "bubblewrap", notes: workspace.sandbox.notes ?? [] });

    // 3. reproduce
    const reproduction = await reproduceFailure({ octokit, payload, sha: target.sha, branch: target.baseBranch, evidence, workspace, config, signal, untracked: deps.untracked });
    const { outcome } = reproduction;
    record("reproduce", { plan: reproduction.plan, verdict: outcome.verdict, summary: outcome.summary, run: outcome.run });
    if (signal.aborted) return aborted(signal);
    const issueMode = outcome.verdict !== "red" && payload.kind === "fix-issue";
    const stop = issueMode ? null : stopUnlessRed(outcome);
    if (stop) {
      await report(stop.report);
      return { state: stop.state, summary: stop.summary };
    }
    const before = outcome.verdict === "red" ? outcome.failure : lastStepResult(outcome.run);
    if (signal.aborted) return aborted(signal);

    const tokens = Math.min(b.tokens, deps.usage.tokensFor(b.cost_usd), b.daily_tokens - today.tokens, deps.usage.tokensFor(b.daily_cost_usd - today.costUsd));

    // 4. fix (investigator, then K fixers in parallel) and 5. verify each candidate
    const protectedPaths = [...BUILTIN_PROTECTED_PATHS, ...config.protected_paths];
    const trigger = payload.trigger;
    const repoInstructions = [await loadAgentInstructions(octokit, owner, name, payload.repo.defaultBranch), config.instructions]
      .filter((s) => s.trim())
      .join("\n\n");
    // 4a. recipes: a known autofix needs no model call and no tokens
    const byRecipe = issueMode
      ? null
      : await tryRecipes({ deps, kind: payload.kind, workspace, reproduction, before, baseSha: target.sha, config, protectedPaths, signal, record });

    // 4b. the agent: investigator, then K fixers in parallel; 5. verify each candidate
    const result = byRecipe ?? (await findFix({
      deps,
      base: workspace,
      sha: target.sha,
      token,
      cloneUrl: payload.repo.cloneUrl,
      installationId: payload.installationId,
      config,
      budget: { turns: b.turns, tokens, minutes: b.minutes },
      reproduction,
      kind: payload.kind,
      startedAt,
      record,
      brief: {
        repoFullName: `${owner}/${name}`,
        config,
        protectedPaths,
        failingCommand: reproduction.failingCommand,
        failingResult: before,
        evidence: evidence.text,
        repoInstructions,
        ...(trigger.type === "comment"
          ? { request: { instructions: trigger.instructions, ...(target.issue ? { issue: target.issue } : {}) } }
          : {}),
        issueMode,
        signal,
      },
    }));
    if (signal.aborted) return aborted(signal);
    const winner = result.winner;
    if (!winner?.verdict) {
      // Out of budget or out of ideas: the best attempt is reported, not thrown away.
      const best = result.candidates
        .filter((c) => c.verdict && c.verdict.diff.files.length > 0)
        .sort((x, y) => x.verdict!.problems.length - y.verdict!.problems.length)[0];
      await report({
        conclusion: "failure",
        title: "No verified fix",
        summary: `Patchwright could not produce a fix that passes \`${reproduction.failingCommand}\`.\n\n${describeCandidates(result)}\n\n**Diagnosis** (${result.diagnosis.status}):\n\n${result.diagnosis.summary || "(none)"}`,
        ...(best?.verdict
          ? { details: `Best attempt (candidate ${best.index}: ${best.outcome.summary.split("\n")[0] ?? ""}):\n\n\`\`\`diff\n${best.verdict.diff.patch.slice(0, 20_000)}\n\`\`\`\n\nTests after it:\n${outputExcerpt(best.verdict.after.output)}` }
          : {}),
      });
      return { state: "failed", summary: "no verified fix" };
    }

    // 6. deliver
    const pr = await deliver({ deps, octokit, job, workspace: winner.workspace, token, target, reproduction, before, verdict: winner.verdict, fix: winner.outcome, diagnosis: result.diagnosis.summary, candidates: describeCandidates(result), spent, failure: describeFailure(payload, target.sha) });
    record("deliver", pr);
    // The pull request is the result; a report that cannot be written does not undo it.
    await report({
      conclusion: "success",
      title: `Fix proposed in #${pr.number}`,
      summary: `Patchwright opened ${pr.url} with a fix: \`${reproduction.failingCommand}\` now passes.`,
      url: pr.url,
    }).catch((error: unknown) => log.warn({ err: error }, "could not report the pull request"));
    return { state: "succeeded", summary: pr.url };
  } catch (error) {
    if (signal.aborted) return aborted(signal);
    const outcome = toOutcome(error, job.attempts, maxAttempts);
    log.warn({ err: error, code: outcome.code, action: outcome.action }, "job stage failed");
    record("error", { code: outcome.code, message: deps.redact(outcome.message) });
    if (outcome.action === "retry") return { state: "retry", delayMs: 5_000 * 2 ** job.attempts, reason: outcome.message };
    try {
      await report({ conclusion: "failure", title: "Patchwright could not finish", summary: outcome.message });
    } catch (reportError) {
      log.error({ err: reportError }, "could not report the failure on GitHub");
    }
    return { state: "failed", summary: `${outcome.code}: ${outcome.message}` };
  } finally {
    await workspace?.dispose();
  }
}

