import { DEPENDABOT, dependabotBranchPattern } from "../../advisories/dependabot-branches.ts";
import type { PullRequestSummary } from "../../github/read-repository.ts";
import type { AdvisoryTrigger } from "../../queue/job.ts";
import type { JobContext } from "../job-context.ts";

/**
 * Stage 3 of a bump job: Dependabot's own open pull request for the package,
 * if any (the most recent). When its branch is not in this repository,
 * Patchwright cannot build on it: it says so on that pull request and ends.
 */
export async function findDependabotPullRequest(ctx: JobContext, advisory: AdvisoryTrigger): Promise<PullRequestSummary | null> {
  const pattern = dependabotBranchPattern(advisory.package);
  const found = (await ctx.github.reads.openPullRequests())
    .filter((pr) => pr.author === DEPENDABOT && pattern.test(pr.headRef))
    .sort((a, b) => b.number - a.number)[0];
  if (!found) return null;
  ctx.record("dependabot", { number: found.number, branch: found.headRef, pushable: found.sameRepository });
  if (!found.sameRepository) {
    await ctx.github.comments.post(
      found.number,
      `Patchwright received ${advisory.ghsaId} (${advisory.severity}) for \`${advisory.package}\`: this pull request already upgrades it, so Patchwright opens no other. ` +
        "Its branch is not in this repository, so Patchwright cannot propose changes onto it; if its checks fail, fix them on its branch.",
    );
    ctx.record("report", { conclusion: "neutral", title: "Commented on Dependabot's pull request", summary: found.url });
    ctx.end({ result: { state: "skipped", summary: `Dependabot's #${found.number} covers it; commented (its branch is not pushable)` } });
  }
  return found;
}
