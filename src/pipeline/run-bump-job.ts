import { upgradeEvidence, upgradeInstructions } from "../advisories/brief-upgrade-fix.ts";
import { bumpBranchName } from "../advisories/dependabot-branches.ts";
import { renderBumpPrBody } from "../advisories/render-bump-pr-body.ts";
import { PatchwrightError } from "../errors.ts";
import { readAdvisory } from "./bump/2-read-advisory.ts";
import { findDependabotPullRequest } from "./bump/3-find-dependabot.ts";
import { upgradeCheckout } from "./bump/4-upgrade-checkout.ts";
import { testUpgrade } from "./bump/5-test-upgrade.ts";
import { fixDependabotPullRequest } from "./bump/fix-dependabot-pull-request.ts";
import type { Ending, JobContext } from "./job-context.ts";
import { admit } from "./stages/1-admit.ts";
import { openJobWorkspace } from "./stages/3-workspace.ts";
import { pullRequestLabels } from "../github/open-pull-request.ts";

/**
 * A `bump-dependency` job (a Dependabot alert), as its stages. Reports go to
 * a check run on the commit the job works on (see `origins/advisory.ts`).
 * When Dependabot already has a pull request for the package, the job fixes
 * that one's tests instead (`bump/fix-dependabot-pull-request.ts`).
 */
export async function runBumpJob(ctx: JobContext): Promise<Ending> {
  const { origin, job } = ctx;
  const advisory = origin.advisory;
  if (!advisory) throw new PatchwrightError("internal", `A ${job.payload.kind} job has no advisory to upgrade for.`);
  ctx.record("start", { attempt: job.attempts, package: advisory.package, ghsa: advisory.ghsaId });
  const target = await origin.target();
  const { config, budget } = await admit(ctx); // 1
  const { ecosystem, advisories } = await readAdvisory(ctx, advisory, target); // 2
  const dependabot = await findDependabotPullRequest(ctx, advisory); // 3
  if (dependabot) return fixDependabotPullRequest(ctx, { dependabot, advisory, ecosystem, config, budget });

  await origin.start(target);
  const workspace = await openJobWorkspace(ctx, target.sha); // 3
  const upgraded = await upgradeCheckout(ctx, { workspace, ecosystem, advisory, advisories, target }); // 4
  const changes = upgraded.upgrades.flatMap((u) => u.changes);
  const moved = changes.map((c) => `${c.name} ${c.from} → ${c.to}`).join(", ");
  const main = changes[0]!;
  const tested = await testUpgrade(ctx, { // 5 (and 6–8 when red)
    advisory,
    config,
    budget,
    workspace,
    target: { ...target, sha: upgraded.sha },
    files: upgraded.files,
    // One fixer: the upgrade commit exists only in this workspace, and parallel fixers clone from the remote.
    candidates: 1,
    instructions: upgradeInstructions(advisory, moved, upgraded.files),
    changelog: () => ecosystem.changelog({ sandbox: workspace.sandbox, name: main.name, from: main.from, to: main.to, cwd: "." }),
    evidence: (changelog) => upgradeEvidence({ advisory, changes, changelog }),
  });

  const token = await ctx.token();
  const pr = await ctx.github.openPullRequest({ // 9
    jobId: job.id,
    branch: bumpBranchName(advisory.package, upgraded.upgrades[0]!.versions.to),
    base: target.baseBranch,
    title: upgraded.title,
    draft: config.draft,
    labels: pullRequestLabels(job.payload.kind),
    body: renderBumpPrBody({ advisories, upgrades: upgraded.upgrades, command: tested.command, afterUpgrade: tested.before, spent: ctx.spent, ...(tested.kind === "fixed" ? { fix: tested.fix } : {}) }),
    push: (branch) => ctx.deps.pushBranch({ dir: tested.kind === "fixed" ? tested.workspace.dir : workspace.dir, cloneUrl: job.payload.repo.cloneUrl, branch, token }),
  });
  ctx.record("deliver", pr);
  return {
    result: { state: "succeeded", summary: pr.url },
    report: { conclusion: "success", title: `Upgrade proposed in #${pr.number}`, summary: `Patchwright opened ${pr.url}: ${upgraded.title}.`, url: pr.url },
  };
}
