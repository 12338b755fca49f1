import { BUILTIN_PROTECTED_PATHS, type RepoConfig } from "../config/repo-config.ts";
import { toOutcome } from "../errors.ts";
import { loadAgentInstructions } from "../github/load-agent-instructions.ts";
import type { Report } from "../github/report.ts";
import { resolveTarget } from "../github/resolve-target.ts";
import type { Octokit } from "../github/types.ts";
import { JobCancelled, SHUTDOWN } from "../queue/job-cancelled.ts";
import type { JobRecord } from "../queue/job.ts";
import type { JobResult } from "../queue/start-worker.ts";
import { renderReproductionMarkdown } from "../reproduction/render-reproduction-markdown.ts";
import type { ReproductionRun } from "../reproduction/run-reproduction.ts";
import type { CommandResult } from "../workspace/types.ts";
import type { BumpContext, TestAndFixArgs, Tested } from "../advisories/bump-context.ts";
import { upgradeEvidence, upgradeInstructions } from "../advisories/brief-upgrade-fix.ts";
import { bumpBranchName, findOpenPullRequest, pushAndOpenPullRequest } from "../advisories/deliver-pull-request.ts";
import { ecosystemFor } from "../advisories/ecosystems/index.ts";
import { findDependabotPullRequest } from "../advisories/find-dependabot-pr.ts";
import { fixDependabotPullRequest } from "../advisories/fix-dependabot-pull-request.ts";
import { listOpenPackageAlerts } from "../advisories/list-package-alerts.ts";
import { renderBumpPrBody } from "../advisories/render-bump-pr-body.ts";
import { finishAdvisoryCheck, startAdvisoryCheck } from "../advisories/report-advisory.ts";
import { upgradeCheckout } from "../advisories/upgrade-checkout.ts";
import type { PipelineDeps, Workspace } from "./pipeline-deps.ts";
import { admitJob } from "./0-admit-job.ts";
import { reproduceFailure } from "./3-reproduce.ts";
import { describeCandidates, findFix, type FixResult } from "./4-fix.ts";
import { outputExcerpt } from "./describe.ts";

/** Until the repository's config is read (its `max_attempts` then decides). */
const DEFAULT_MAX_ATTEMPTS = 3;

/**
 * One `bump-dependency` job (a Dependabot alert), as numbered stages:
 *   0. advisory    config, ecosystem, the package's open alerts, Dependabot's own PR
 *   1. workspace   a clone of the default branch's head
 *   2. upgrade     manifest + lockfile out of the vulnerable range, checked minimal, committed
 *   3. reproduce   the repository's setup and tests with the new versions (`reproduceFailure`)
 *   4. fix         only when red: `findFix` as in fix-ci (investigator, fixer, verify), the upgrade protected
 *   5. deliver     a `patchwright/bump-*` branch and the `[security]` pull request
 * When Dependabot already has a pull request for the package, the job fixes
 * that one's tests instead (a PR onto its branch), or comments when it cannot.
 * Reports go to a check run on the commit the job works on.
 */
export async function runBumpJob(job: JobRecord, deps: PipelineDeps, signal: AbortSignal): Promise<JobResult> {
  const { payload } = job;
  const advisory = payload.trigger;
  if (advisory.type !== "advisory") return { state: "failed", summary: `a ${payload.kind} job is not an advisory` };
  const { owner, name } = payload.repo;
  const repoFullName = `${owner}/${name}`;
  const log = deps.log.child({ jobId: job.id, repo: repoFullName, package: advisory.package });
  const record = (kind: string, data: unknown) => {
    deps.ledger(job.id, kind, data);
    if (kind.endsWith("agent.model_call")) {
      const call = data as { promptTokens: number; completionTokens: number };
      deps.usage.record(job.id, repoFullName, call.promptTokens + call.completionTokens, deps.usage.cost(call));
    }
  };
  const at: BumpContext["at"] = { checkId: null };
  const workspaces: Workspace[] = [];
  let octokit: Octokit | undefined;
  const report = async (r: Report) => {
    record("report", r);
    if (octokit && at.sha) await finishAdvisoryCheck({ octokit, job, sha: at.sha, checkId: at.checkId, report: r, redact: deps.redact });
  };

  let maxAttempts = DEFAULT_MAX_ATTEMPTS;
  try {
    record("start", { attempt: job.attempts, package: advisory.package, ghsa: advisory.ghsaId });
    octokit = await deps.octokitFor(payload.installationId);

    // 0. advisory: the commit reports go to, admission (config, daily budget), the ecosystem, the open alerts
    const target = await resolveTarget(octokit, payload);
    at.sha = target.sha;
    const admission = await admitJob(octokit, payload, deps);
    if (!admission.admitted) {
      // Nobody asked for this job: only what needs the maintainers (a broken config, the budget) is reported.
      if (admission.state === "failed" && admission.report) await report(admission.report);
      return { state: admission.state, summary: admission.summary };
    }
    const { config, spentToday } = admission;
    maxAttempts = config.max_attempts;
    const ecosystem = ecosystemFor(advisory.ecosystem);
    if (!ecosystem.supported) {
      await report({ conclusion: "neutral", title: `Not supported yet: ${advisory.ecosystem} advisory ${advisory.ghsaId}`, summary: ecosystem.explain(advisory), url: advisory.url });
      return { state: "skipped", summary: `${advisory.ecosystem} is not supported yet` };
    }
    const open = await listOpenPackageAlerts(octokit, owner, name, advisory.ecosystem, advisory.package);
    if (open && !open.some((a) => a.alertNumber === advisory.alertNumber)) return { state: "skipped", summary: `alert #${advisory.alertNumber} is no longer open` };
    const advisories = [advisory, ...(open ?? []).filter((a) => a.alertNumber !== advisory.alertNumber)];
    record("advisory", { sha: target.sha, alerts: advisories.map((a) => a.alertNumber), manifests: [...new Set(advisories.map((a) => a.manifestPath))] });
    const ctx: BumpContext = { job, deps, octokit, advisory, ecosystem, config, signal, startedAt: deps.now(), record, report, at, workspaces, testAndFix: (args) => testAndFix(ctx, args) };
    const b = config.budget;
    const tokens = Math.min(b.tokens, deps.usage.tokensFor(b.cost_usd), b.daily_tokens - spentToday.tokens, deps.usage.tokensFor(b.daily_cost_usd - spentToday.costUsd));
    const dependabot = await findDependabotPullRequest(octokit, owner, name, advisory.package);
    if (dependabot) {
      record("dependabot", { number: dependabot.number, branch: dependabot.headRef, pushable: dependabot.pushable });
      return await fixDependabotPullRequest(ctx, dependabot, tokens);
    }
    at.checkId = await startAdvisoryCheck(octokit, job, advisory, target.sha, deps.redact);

    // 1. workspace
    const token = await deps.mintToken(payload.installationId, name);
    const workspace = await deps.openWorkspace({ cloneUrl: payload.repo.cloneUrl, sha: target.sha, token, installationId: payload.installationId });
    workspaces.push(workspace);
    record("workspace", { sha: target.sha });

    // 2. upgrade
    const upgraded = await upgradeCheckout(ctx, { workspace, advisories, baseSha: target.sha, baseBranch: target.baseBranch });
    if (upgraded.kind === "stopped") return upgraded.result;
    const { upgrades, files, title } = upgraded;
    const changes = upgrades.flatMap((u) => u.changes);

    // 3. reproduce and 4. fix
    const moved = changes.map((c) => `${c.name} ${c.from} → ${c.to}`).join(", ");
    const main = changes[0]!;
    const tested = await ctx.testAndFix({
      workspace, sha: upgraded.sha, branch: target.baseBranch, token, files, tokens,
      // One fixer: the upgrade commit exists only in this workspace, and parallel fixers clone from the remote.
      candidates: 1,
      instructions: upgradeInstructions(advisory, moved, files),
      changelog: () => ecosystem.changelog({ sandbox: workspace.sandbox, name: main.name, from: main.from, to: main.to, cwd: "." }),
      evidence: (changelog) => upgradeEvidence({ advisory, changes, changelog }),
    });
    if (tested.kind === "stopped") return tested.result;

    // 5. deliver
    const branch = bumpBranchName(advisory.package, upgrades[0]!.versions.to);
    const pr =
      (await findOpenPullRequest(octokit, payload.repo, branch)) ??
      (await pushAndOpenPullRequest({
        deps, octokit, repo: payload.repo, jobId: job.id, dir: tested.kind === "fixed" ? tested.workspace.dir : workspace.dir, token, branch, base: target.baseBranch, title,
        body: renderBumpPrBody({ advisories, upgrades, command: tested.command, afterUpgrade: tested.before, ...(tested.kind === "fixed" ? { fix: tested.fix } : {}) }),
      }));
    record("deliver", pr);
    await report({ conclusion: "success", title: `Upgrade proposed in #${pr.number}`, summary: `Patchwright opened ${pr.url}: ${title}.`, url: pr.url });
    return { state: "succeeded", summary: pr.url };
  } catch (error) {
    if (signal.aborted) return stopped(signal, report);
    const outcome = toOutcome(error, job.attempts, maxAttempts);
    log.warn({ err: error, code: outcome.code, action: outcome.action }, "job stage failed");
    record("error", { code: outcome.code, message: deps.redact(outcome.message) });
    if (outcome.action === "retry") return { state: "retry", delayMs: 5_000 * 2 ** job.attempts, reason: outcome.message };
    await report({ conclusion: "failure", title: "Patchwright could not finish", summary: outcome.message }).catch((e: unknown) => log.error({ err: e }, "could not report the failure on GitHub"));
    return { state: "failed", summary: `${outcome.code}: ${outcome.message}` };
  } finally {
    for (const w of workspaces) await w.dispose();
  }
}

/**
 * Stages 3 and 4: the repository's tests (the reproduction planner's fallback
 * to `commands` / package.json: there is no failed CI job); when red, the fix
 * stage of fix-ci with the upgrade's files protected and our instructions
 * first. Every other ending is reported here and comes back as `stopped`.
 */
async function testAndFix(ctx: BumpContext, args: TestAndFixArgs): Promise<Tested> {
  const { deps, job, octokit, config, record, report, signal } = ctx;
  const { payload } = job;
  // No re-runs: a green run is simply green here, not a "flaky" verdict to confirm.
  const reproduction = await reproduceFailure({ octokit, payload, sha: args.sha, branch: args.branch, evidence: { text: "", failedJobs: [] }, workspace: args.workspace, config: { ...config, flaky_reruns: 0 }, signal, untracked: deps.untracked });
  const { outcome } = reproduction;
  record("reproduce", { plan: reproduction.plan, verdict: outcome.verdict, summary: outcome.summary, run: outcome.run });
  const command = reproduction.fullTestCommand ?? reproduction.failingCommand;
  if (signal.aborted) return { kind: "stopped", result: await stopped(signal, report) };
  if (outcome.verdict === "setup_failed") {
    await report({ conclusion: "failure", title: "Setup failed after the upgrade", summary: `${outcome.summary}\n\nNothing was pushed. If setup needs a different command, set \`commands.setup\` in \`.github/patchwright.yml\`.`, details: `${renderReproductionMarkdown(outcome)}\n\n${outputExcerpt(outcome.failure.output)}` });
    return { kind: "stopped", result: { state: "failed", summary: "setup failed" } };
  }
  if (outcome.verdict !== "red") return { kind: "green", command, before: lastResult(outcome.run) };

  const before = outcome.failure;
  const changelog = await args.changelog().catch(() => "");
  record("changelog", { chars: changelog.length });
  const protectedConfig: RepoConfig = { ...config, candidates: Math.min(config.candidates, args.candidates), protected_paths: [...config.protected_paths, ...args.files] };
  const repoInstructions = [args.instructions, await loadAgentInstructions(octokit, payload.repo.owner, payload.repo.name, payload.repo.defaultBranch), config.instructions]
    .filter((s) => s.trim())
    .join("\n\n");
  const result: FixResult = await findFix({
    deps,
    base: args.workspace,
    sha: args.sha,
    token: args.token,
    cloneUrl: payload.repo.cloneUrl,
    installationId: payload.installationId,
    config: protectedConfig,
    budget: { turns: config.budget.turns, tokens: args.tokens, minutes: config.budget.minutes },
    reproduction,
    kind: "bump-dependency",
    startedAt: ctx.startedAt,
    record,
    brief: {
      repoFullName: `${payload.repo.owner}/${payload.repo.name}`,
      config: protectedConfig,
      protectedPaths: [...BUILTIN_PROTECTED_PATHS, ...protectedConfig.protected_paths],
      failingCommand: reproduction.failingCommand,
      failingResult: before,
      evidence: args.evidence(changelog),
      repoInstructions,
      issueMode: false,
      signal,
    },
  });
  if (signal.aborted) return { kind: "stopped", result: await stopped(signal, report) };
  const winner = result.winner;
  if (!winner?.verdict) {
    await report({
      conclusion: "failure",
      title: `The tests fail with the new version of ${ctx.advisory.package}`,
      summary: `\`${reproduction.failingCommand}\` fails after the upgrade and Patchwright could not adapt the code; nothing was pushed.\n\n${describeCandidates(result)}\n\n**Diagnosis** (${result.diagnosis.status}):\n\n${result.diagnosis.summary || "(none)"}`,
      details: outputExcerpt(before.output),
    });
    return { kind: "stopped", result: { state: "failed", summary: "no verified fix for the upgrade" } };
  }
  if (winner.workspace !== args.workspace) ctx.workspaces.push(winner.workspace);
  await deps.commitAll(winner.workspace.dir, `Adapt the code to ${ctx.advisory.package}'s new version\n\n${deps.redact(winner.outcome.summary)}`, await deps.botIdentity(octokit), reproduction.setupArtifacts);
  return {
    kind: "fixed",
    command,
    before,
    workspace: winner.workspace,
    fix: { summary: winner.outcome.summary, diagnosis: result.diagnosis.summary, after: winner.verdict.after, diff: winner.verdict.diff, trace: winner.outcome.trace, usage: { turns: winner.outcome.turns, ...winner.outcome.usage }, changelog },
  };
}

/** `/agent stop` is reported and ends the job; a shutting-down worker puts it back. */
async function stopped(signal: AbortSignal, report: (r: Report) => Promise<void>): Promise<JobResult> {
  if (!(signal.reason instanceof JobCancelled)) return { state: "retry", delayMs: 0, reason: SHUTDOWN };
  await report({ conclusion: "cancelled", title: "Stopped", summary: `Stopped by @${signal.reason.by}. Nothing was pushed.` }).catch(() => undefined);
  return { state: "cancelled", summary: signal.reason.message };
}

/** The last step's result of a green run. */
function lastResult(run: ReproductionRun): CommandResult {
  const step = run.steps.at(-1);
  return { command: step?.command ?? "", exitCode: run.exitCode, output: step?.outputExcerpt ?? "", durationMs: run.durationMs, timedOut: false, truncated: false };
}

