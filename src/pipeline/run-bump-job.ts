import { BUILTIN_PROTECTED_PATHS, type RepoConfig } from "../config/repo-config.ts";
import { toOutcome } from "../errors.ts";
import { loadAgentInstructions } from "../github/load-agent-instructions.ts";
import { loadRepoConfig } from "../github/load-repo-config.ts";
import type { Report } from "../github/report.ts";
import { resolveTarget } from "../github/resolve-target.ts";
import type { Octokit } from "../github/types.ts";
import { JobCancelled, SHUTDOWN } from "../queue/job-cancelled.ts";
import type { AdvisoryTrigger, JobRecord } from "../queue/job.ts";
import type { JobResult } from "../queue/start-worker.ts";
import { renderReproductionMarkdown } from "../reproduction/render-reproduction-markdown.ts";
import type { ReproductionRun } from "../reproduction/run-reproduction.ts";
import type { CommandResult } from "../workspace/types.ts";
import { upgradeEvidence, upgradeInstructions } from "../advisories/brief-upgrade-fix.ts";
import { bumpBranchName, findOpenPullRequest, pushAndOpenPullRequest } from "../advisories/deliver-pull-request.ts";
import { ecosystemFor } from "../advisories/ecosystems/index.ts";
import type { Ecosystem, UpgradeResult } from "../advisories/ecosystems/types.ts";
import { findDependabotPullRequest, versionsFromTitle, type DependabotPullRequest } from "../advisories/find-dependabot-pr.ts";
import { listOpenPackageAlerts } from "../advisories/list-package-alerts.ts";
import { mergeVulnerability } from "../advisories/parse-alert.ts";
import { bumpPrTitle, renderBumpPrBody, renderDependabotFixBody } from "../advisories/render-bump-pr-body.ts";
import { advisoryLabel, finishAdvisoryCheck, startAdvisoryCheck } from "../advisories/report-advisory.ts";
import type { PipelineDeps, Workspace } from "./pipeline-deps.ts";
import { reproduceFailure } from "./3-reproduce.ts";
import { describeCandidates, findFix, type FixResult } from "./4-fix.ts";
import { outputExcerpt } from "./describe.ts";

const MAX_RETRIES = 3;
type Upgraded = Extract<UpgradeResult, { status: "upgraded" }>;
type Supported = Extract<Ecosystem, { supported: true }>;

/** What every stage of one bump job shares. */
interface Ctx {
  job: JobRecord;
  deps: PipelineDeps;
  octokit: Octokit;
  advisory: AdvisoryTrigger;
  ecosystem: Supported;
  config: RepoConfig;
  signal: AbortSignal;
  startedAt: number;
  record(kind: string, data: unknown): void;
  report(r: Report): Promise<void>;
  /** Where reports go: the check run on the commit the job works on. */
  at: { sha?: string; checkId: number | null };
  /** Workspaces to dispose when the job ends. */
  workspaces: Workspace[];
}

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
  const at: Ctx["at"] = { checkId: null };
  const workspaces: Workspace[] = [];
  let octokit: Octokit | undefined;
  const report = async (r: Report) => {
    record("report", r);
    if (octokit && at.sha) await finishAdvisoryCheck({ octokit, job, sha: at.sha, checkId: at.checkId, report: r, redact: deps.redact });
  };

  try {
    record("start", { attempt: job.attempts, package: advisory.package, ghsa: advisory.ghsaId });
    octokit = await deps.octokitFor(payload.installationId);

    // 0. advisory
    const parsed = await loadRepoConfig(octokit, owner, name);
    const target = await resolveTarget(octokit, payload);
    at.sha = target.sha;
    if (!parsed.ok) {
      await report({ conclusion: "failure", title: "Invalid .github/patchwright.yml", summary: `Patchwright did not upgrade ${advisoryLabel(advisory)}: fix these keys in \`.github/patchwright.yml\` on the default branch.\n\n${parsed.problems.map((p) => `- ${p}`).join("\n")}` });
      return { state: "failed", summary: "invalid repository config" };
    }
    const config = parsed.config;
    if (!config.enabled) return { state: "skipped", summary: "disabled by config" };
    const ecosystem = ecosystemFor(advisory.ecosystem);
    if (!ecosystem.supported) {
      await report({ conclusion: "neutral", title: `Not supported yet: ${advisory.ecosystem} advisory ${advisory.ghsaId}`, summary: ecosystem.explain(advisory), url: advisory.url });
      return { state: "skipped", summary: `${advisory.ecosystem} is not supported yet` };
    }
    const open = await listOpenPackageAlerts(octokit, owner, name, advisory.ecosystem, advisory.package);
    if (open && !open.some((a) => a.alertNumber === advisory.alertNumber)) return { state: "skipped", summary: `alert #${advisory.alertNumber} is no longer open` };
    const advisories = [advisory, ...(open ?? []).filter((a) => a.alertNumber !== advisory.alertNumber)];
    record("advisory", { sha: target.sha, alerts: advisories.map((a) => a.alertNumber), manifests: [...new Set(advisories.map((a) => a.manifestPath))] });
    const ctx: Ctx = { job, deps, octokit, advisory, ecosystem, config, signal, startedAt: deps.now(), record, report, at, workspaces };
    const budget = dailyBudget(ctx);
    if (!budget.ok) {
      await report({ conclusion: "failure", title: "Daily budget used up", summary: budget.message });
      return { state: "failed", summary: "daily budget used up" };
    }
    const dependabot = await findDependabotPullRequest(octokit, owner, name, advisory.package);
    if (dependabot) {
      record("dependabot", { number: dependabot.number, branch: dependabot.headRef, pushable: dependabot.pushable });
      return await fixDependabotPullRequest(ctx, dependabot, budget.tokens);
    }
    at.checkId = await startAdvisoryCheck(octokit, job, advisory, target.sha);

    // 1. workspace
    const token = await deps.mintToken(payload.installationId, name);
    const workspace = await deps.openWorkspace({ cloneUrl: payload.repo.cloneUrl, sha: target.sha, token });
    workspaces.push(workspace);
    record("workspace", { sha: target.sha });

    // 2. upgrade, once per manifest the package is alerted in
    const upgrades: Upgraded[] = [];
    for (const manifestPath of new Set(advisories.map((a) => a.manifestPath))) {
      const group = advisories.filter((a) => a.manifestPath === manifestPath);
      const result = await ecosystem.upgrade({ dir: workspace.dir, sandbox: workspace.sandbox, advisory: { ...advisory, manifestPath }, vulnerability: mergeVulnerability(group), onEvent: record });
      record("upgrade", { manifestPath, ...result });
      if (result.status === "upgraded") upgrades.push(result);
      else if (result.status === "failed") {
        await report({ conclusion: "failure", title: `Could not upgrade ${advisory.package}`, summary: `Patchwright could not upgrade \`${advisory.package}\` in \`${manifestPath}\` for ${advisory.ghsaId}: ${result.reason}. Nothing was pushed; upgrade it by hand.`, ...(result.details ? { details: outputExcerpt(result.details) } : {}) });
        return { state: "failed", summary: result.reason };
      } else if (result.status === "unsupported" && manifestPath === advisory.manifestPath) {
        await report({ conclusion: "neutral", title: `Not supported yet: ${advisory.package}`, summary: `Patchwright cannot upgrade \`${advisory.package}\` for ${advisory.ghsaId}: ${result.reason}.` });
        return { state: "skipped", summary: result.reason };
      }
    }
    if (upgrades.length === 0) {
      await report({ conclusion: "neutral", title: `Already safe: ${advisory.package}`, summary: `Every copy of \`${advisory.package}\` on \`${target.baseBranch}\` at ${target.sha.slice(0, 7)} is outside \`${advisory.vulnerableRange}\` already: nothing to upgrade.` });
      return { state: "skipped", summary: "already outside the vulnerable range" };
    }
    const files = upgrades.flatMap((u) => u.files);
    // What the package manager left untracked (yarn 1's node_modules/ where nothing ignores it) is not part of the upgrade.
    const artifacts = (await deps.untracked(workspace.dir)).filter((f) => !files.includes(f));
    const stray = (await deps.diff(workspace.dir, target.sha, artifacts)).files.map((f) => f.path).filter((f) => !files.includes(f));
    if (stray.length > 0) {
      await report({ conclusion: "failure", title: `Could not upgrade ${advisory.package}`, summary: `The package manager changed files besides the manifest and lockfile (${stray.slice(0, 5).map((f) => `\`${f}\``).join(", ")}), so Patchwright did not propose the upgrade.` });
      return { state: "failed", summary: "the upgrade touched unexpected files" };
    }
    const title = bumpPrTitle(advisory, upgrades[0]!);
    const changes = upgrades.flatMap((u) => u.changes);
    // Committed here, in the workspace only: the agent's changes are diffed (and policed) against it.
    const upgradeSha = await deps.commitAll(workspace.dir, `${title}\n\n${changes.map((c) => `${c.name} ${c.from} -> ${c.to}: ${c.reason}`).join("\n")}`, await deps.botIdentity(octokit), artifacts);

    // 3. reproduce and 4. fix
    const moved = changes.map((c) => `${c.name} ${c.from} → ${c.to}`).join(", ");
    const main = changes[0]!;
    const tested = await testAndFix(ctx, {
      workspace, sha: upgradeSha, branch: target.baseBranch, token, files, tokens: budget.tokens,
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
    const outcome = toOutcome(error, job.attempts, MAX_RETRIES);
    log.warn({ err: error, code: outcome.code, action: outcome.action }, "job stage failed");
    record("error", { code: outcome.code, message: deps.redact(outcome.message) });
    if (outcome.action === "retry") return { state: "retry", delayMs: 5_000 * 2 ** job.attempts, reason: outcome.message };
    await report({ conclusion: "failure", title: "Patchwright could not finish", summary: outcome.message }).catch((e: unknown) => log.error({ err: e }, "could not report the failure on GitHub"));
    return { state: "failed", summary: `${outcome.code}: ${outcome.message}` };
  } finally {
    for (const w of workspaces) await w.dispose();
  }
}

type Tested =
  | { kind: "stopped"; result: JobResult }
  /** The tests pass as they are. */
  | { kind: "green"; command: string; before: CommandResult }
  /** They failed, and the agent's verified change (uncommitted, in the winner's workspace) makes them pass. */
  | { kind: "fixed"; command: string; before: CommandResult; workspace: Workspace; fix: NonNullable<Parameters<typeof renderBumpPrBody>[0]["fix"]> };

/**
 * Stages 3 and 4: the repository's tests (the reproduction planner's fallback
 * to `commands` / package.json: there is no failed CI job); when red, the fix
 * stage of fix-ci with the upgrade's files protected and our instructions
 * first. Every other ending is reported here and comes back as `stopped`.
 */
async function testAndFix(
  ctx: Ctx,
  args: {
    workspace: Workspace;
    sha: string;
    branch: string;
    token: string;
    files: readonly string[];
    tokens: number;
    candidates: number;
    instructions: string;
    changelog(): Promise<string>;
    evidence(changelog: string): string;
  },
): Promise<Tested> {
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

/**
 * Dependabot already proposes the upgrade: no second PR. When its tests fail
 * here, the agent fixes them on a `patchwright/` branch and a PR targets
 * Dependabot's branch; when its branch is not in this repository, a comment.
 */
async function fixDependabotPullRequest(ctx: Ctx, dependabot: DependabotPullRequest, tokens: number): Promise<JobResult> {
  const { job, deps, octokit, advisory, record, report } = ctx;
  const { repo } = job.payload;
  if (!dependabot.pushable) {
    await octokit.rest.issues.createComment({
      owner: repo.owner,
      repo: repo.name,
      issue_number: dependabot.number,
      body: deps.redact(
        `Patchwright received ${advisory.ghsaId} (${advisory.severity}) for \`${advisory.package}\`: this pull request already upgrades it, so Patchwright opens no other. ` +
          "Its branch is not in this repository, so Patchwright cannot propose changes onto it; if its checks fail, fix them on its branch.",
      ),
    });
    record("report", { conclusion: "neutral", title: "Commented on Dependabot's pull request", summary: dependabot.url });
    return { state: "skipped", summary: `Dependabot's #${dependabot.number} covers it; commented (its branch is not pushable)` };
  }
  ctx.at.sha = dependabot.headSha;
  ctx.at.checkId = await startAdvisoryCheck(octokit, job, advisory, dependabot.headSha);
  const token = await deps.mintToken(job.payload.installationId, repo.name);
  const workspace = await deps.openWorkspace({ cloneUrl: repo.cloneUrl, sha: dependabot.headSha, token });
  ctx.workspaces.push(workspace);
  record("workspace", { sha: dependabot.headSha });
  const versions = versionsFromTitle(dependabot.title);
  const moved = versions ? `${advisory.package} ${versions.from} → ${versions.to}` : `${advisory.package}, as Dependabot's #${dependabot.number} upgrades it`;
  const dir = advisory.manifestPath.includes("/") ? advisory.manifestPath.slice(0, advisory.manifestPath.lastIndexOf("/") + 1) : "";
  const files = ["package.json", "package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml", "yarn.lock"].map((f) => `${dir}${f}`);
  const tested = await testAndFix(ctx, {
    workspace, sha: dependabot.headSha, branch: dependabot.headRef, token, files, tokens,
    candidates: ctx.config.candidates,
    instructions: upgradeInstructions(advisory, moved, files.slice(0, 2)),
    changelog: () => (versions ? ctx.ecosystem.changelog({ sandbox: workspace.sandbox, name: advisory.package, from: versions.from, to: versions.to, cwd: "." }) : Promise.resolve("")),
    evidence: (changelog) => upgradeEvidence({ advisory, changes: moved, changelog }),
  });
  if (tested.kind === "stopped") return tested.result;
  if (tested.kind === "green") {
    await report({ conclusion: "neutral", title: `Dependabot's #${dependabot.number} already fixes ${advisory.ghsaId}`, summary: `\`${tested.command}\` passes on \`${dependabot.headRef}\`: review and merge ${dependabot.url}.`, url: dependabot.url });
    return { state: "skipped", summary: `Dependabot's #${dependabot.number} passes` };
  }
  const branch = `patchwright/fix-${dependabot.headSha.slice(0, 7)}`;
  const title = `[security] fix the tests of #${dependabot.number}: ${moved} (${advisory.ghsaId})`;
  const pr =
    (await findOpenPullRequest(octokit, repo, branch)) ??
    (await pushAndOpenPullRequest({
      deps, octokit, repo, jobId: job.id, dir: tested.workspace.dir, token, branch, base: dependabot.headRef, title,
      body: renderDependabotFixBody({ advisory, dependabot, command: tested.command, before: tested.before, ...tested.fix }),
    }));
  record("deliver", pr);
  await report({ conclusion: "success", title: `Fix for #${dependabot.number} proposed in #${pr.number}`, summary: `Patchwright opened ${pr.url} onto Dependabot's \`${dependabot.headRef}\`: \`${tested.command}\` passes with it.`, url: pr.url });
  return { state: "succeeded", summary: pr.url };
}

/** The job's token budget, capped by what the repository has left today (as fix-ci does). */
function dailyBudget(ctx: Ctx): { ok: true; tokens: number } | { ok: false; message: string } {
  const repo = `${ctx.job.payload.repo.owner}/${ctx.job.payload.repo.name}`;
  const today = ctx.deps.usage.since(repo, ctx.deps.now() - 24 * 3_600_000);
  const b = ctx.config.budget;
  if (today.tokens >= b.daily_tokens || today.costUsd >= b.daily_cost_usd) {
    return { ok: false, message: `This repository used ${today.tokens} tokens ($${today.costUsd.toFixed(2)}) in the last 24 hours, the limit set by \`budget.daily_tokens\` / \`budget.daily_cost_usd\` in \`.github/patchwright.yml\`. The advisory stays open; reopen it later, or raise the limit.` };
  }
  const tokens = Math.min(b.tokens, ctx.deps.usage.tokensFor(b.cost_usd), b.daily_tokens - today.tokens, ctx.deps.usage.tokensFor(b.daily_cost_usd - today.costUsd));
  return { ok: true, tokens };
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

