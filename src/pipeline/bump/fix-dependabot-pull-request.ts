import { upgradeEvidence, upgradeInstructions } from "../../advisories/brief-upgrade-fix.ts";
import type { Ecosystem } from "../../advisories/ecosystems/types.ts";
import { versionsFromTitle } from "../../advisories/dependabot-branches.ts";
import { renderDependabotFixBody } from "../../advisories/render-bump-pr-body.ts";
import type { RepoConfig } from "../../config/repo-config.ts";
import type { PullRequestSummary } from "../../github/read-repository.ts";
import type { AdvisoryTrigger } from "../../queue/job.ts";
import type { Ending, JobContext } from "../job-context.ts";
import type { Budget } from "../stages/1-admit.ts";
import { openJobWorkspace } from "../stages/3-workspace.ts";
import { testUpgrade } from "./5-test-upgrade.ts";
import { pullRequestLabels } from "../../github/open-pull-request.ts";

/** What Dependabot's upgrade changes, in the manifest's directory: protected from the agent. */
const UPGRADE_FILES = ["package.json", "package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml", "yarn.lock"];

/**
 * Dependabot already proposes the upgrade: no second PR. Its tests run here
 * at its head; when they fail, the agent fixes them, and a PR from a
 * `patchwright/fix-<sha>` branch targets Dependabot's branch (the same branch
 * a fix-ci job for that red commit would use).
 */
export async function fixDependabotPullRequest(
  ctx: JobContext,
  args: { dependabot: PullRequestSummary; advisory: AdvisoryTrigger; ecosystem: Extract<Ecosystem, { supported: true }>; config: RepoConfig; budget: Budget },
): Promise<Ending> {
  const { dependabot, advisory } = args;
  const target = { sha: dependabot.headSha, baseBranch: dependabot.headRef };
  await ctx.origin.start(target);
  const workspace = await openJobWorkspace(ctx, target.sha); // 3

  const versions = versionsFromTitle(dependabot.title);
  const moved = versions ? `${advisory.package} ${versions.from} → ${versions.to}` : `${advisory.package}, as Dependabot's #${dependabot.number} upgrades it`;
  const dir = advisory.manifestPath.includes("/") ? advisory.manifestPath.slice(0, advisory.manifestPath.lastIndexOf("/") + 1) : "";
  const files = UPGRADE_FILES.map((f) => `${dir}${f}`);
  const tested = await testUpgrade(ctx, { // 5 (and 6–8 when red)
    advisory,
    config: args.config,
    budget: args.budget,
    workspace,
    target,
    files,
    // Dependabot's commit is on the remote: parallel fixers can clone it.
    candidates: args.config.candidates,
    instructions: upgradeInstructions(advisory, moved, files.slice(0, 2)),
    changelog: () => (versions ? args.ecosystem.changelog({ sandbox: workspace.sandbox, name: advisory.package, from: versions.from, to: versions.to, cwd: "." }) : Promise.resolve("")),
    evidence: (changelog) => upgradeEvidence({ advisory, changes: moved, changelog }),
  });
  if (tested.kind === "green") {
    return {
      result: { state: "skipped", summary: `Dependabot's #${dependabot.number} passes` },
      report: { conclusion: "neutral", title: `Dependabot's #${dependabot.number} already fixes ${advisory.ghsaId}`, summary: `\`${tested.command}\` passes on \`${dependabot.headRef}\`: review and merge ${dependabot.url}.`, url: dependabot.url },
    };
  }
  const token = await ctx.token();
  const pr = await ctx.github.openPullRequest({ // 9
    jobId: ctx.job.id,
    branch: ctx.origin.branchName(dependabot.headSha),
    base: dependabot.headRef,
    title: `[security] fix the tests of #${dependabot.number}: ${moved} (${advisory.ghsaId})`,
    draft: args.config.draft,
    labels: pullRequestLabels(ctx.payload.kind),
    body: renderDependabotFixBody({ advisory, dependabot, command: tested.command, before: tested.before, ...tested.fix, spent: ctx.spent }),
    push: (branch) => ctx.deps.pushBranch({ dir: tested.workspace.dir, cloneUrl: ctx.payload.repo.cloneUrl, branch, token }),
  });
  ctx.record("deliver", pr);
  return {
    result: { state: "succeeded", summary: pr.url },
    report: { conclusion: "success", title: `Fix for #${dependabot.number} proposed in #${pr.number}`, summary: `Patchwright opened ${pr.url} onto Dependabot's \`${dependabot.headRef}\`: \`${tested.command}\` passes with it.`, url: pr.url },
  };
}
