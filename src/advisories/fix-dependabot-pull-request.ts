import type { JobResult } from "../queue/start-worker.ts";
import type { BumpContext } from "./bump-context.ts";
import { upgradeEvidence, upgradeInstructions } from "./brief-upgrade-fix.ts";
import { findOpenPullRequest, pushAndOpenPullRequest } from "./deliver-pull-request.ts";
import { versionsFromTitle, type DependabotPullRequest } from "./find-dependabot-pr.ts";
import { renderDependabotFixBody } from "./render-bump-pr-body.ts";
import { startAdvisoryCheck } from "./report-advisory.ts";

/** What Dependabot's upgrade changes, in the manifest's directory: protected from the agent. */
const UPGRADE_FILES = ["package.json", "package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml", "yarn.lock"];

/**
 * Dependabot already proposes the upgrade: no second PR. Its tests run here
 * at its head; when they fail, the agent fixes them, and a PR from a
 * `patchwright/fix-<sha>` branch targets Dependabot's branch (the same branch
 * a fix-ci job for that red commit would use). When its branch is not in
 * this repository, a comment says so instead.
 */
export async function fixDependabotPullRequest(ctx: BumpContext, dependabot: DependabotPullRequest, tokens: number): Promise<JobResult> {
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
  ctx.at.checkId = await startAdvisoryCheck(octokit, job, advisory, dependabot.headSha, deps.redact);
  const token = await deps.mintToken(job.payload.installationId, repo.name);
  const workspace = await deps.openWorkspace({ cloneUrl: repo.cloneUrl, sha: dependabot.headSha, token, installationId: job.payload.installationId });
  ctx.workspaces.push(workspace);
  record("workspace", { sha: dependabot.headSha });

  const versions = versionsFromTitle(dependabot.title);
  const moved = versions ? `${advisory.package} ${versions.from} → ${versions.to}` : `${advisory.package}, as Dependabot's #${dependabot.number} upgrades it`;
  const dir = advisory.manifestPath.includes("/") ? advisory.manifestPath.slice(0, advisory.manifestPath.lastIndexOf("/") + 1) : "";
  const files = UPGRADE_FILES.map((f) => `${dir}${f}`);
  const tested = await ctx.testAndFix({
    workspace,
    sha: dependabot.headSha,
    branch: dependabot.headRef,
    token,
    files,
    tokens,
    // Dependabot's commit is on the remote: parallel fixers can clone it.
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
      deps,
      octokit,
      repo,
      jobId: job.id,
      dir: tested.workspace.dir,
      token,
      branch,
      base: dependabot.headRef,
      title,
      body: renderDependabotFixBody({ advisory, dependabot, command: tested.command, before: tested.before, ...tested.fix }),
    }));
  record("deliver", pr);
  await report({ conclusion: "success", title: `Fix for #${dependabot.number} proposed in #${pr.number}`, summary: `Patchwright opened ${pr.url} onto Dependabot's \`${dependabot.headRef}\`: \`${tested.command}\` passes with it.`, url: pr.url });
  return { state: "succeeded", summary: pr.url };
}
