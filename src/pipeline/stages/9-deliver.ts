import { pullRequestLabels, type OpenedPullRequest } from "../../github/open-pull-request.ts";
import { renderReproductionMarkdown } from "../../reproduction/render-reproduction-markdown.ts";
import { changedTestFiles } from "../../security/check-test-tampering.ts";
import { stripControlCharacters } from "../../security/strip-control-characters.ts";
import type { JobContext } from "../job-context.ts";
import type { Target } from "../origins/origin.ts";
import type { Reproduction } from "./4-reproduce.ts";
import { describeCandidates, type Candidate, type FixResult } from "./7-fix.ts";
import type { Verdict } from "./8-verify.ts";
import { renderPrBody } from "./render-pr-body.ts";

/**
 * Stage 9: commits the winner as the app, pushes it to the origin's
 * `patchwright/` branch (token on the host side only) and opens the pull
 * request onto the target branch (a draft unless `draft: false`, labelled
 * `patchwright` and the job's kind), or finds the one a previous run opened.
 * The verified patch goes to the ledger with the pull request.
 */
export async function deliver(
  ctx: JobContext,
  args: { target: Target; reproduction: Reproduction; result: FixResult; winner: Candidate & { verdict: Verdict }; draft: boolean },
): Promise<OpenedPullRequest> {
  const { deps, origin, payload } = ctx;
  const { target, reproduction, result } = args;
  const { workspace, outcome: fix, verdict } = args.winner;
  const title = origin.prTitle(fix.summary);
  const token = await ctx.token();
  let committed: Promise<string> | undefined;
  const pr = await ctx.github.openPullRequest({
    jobId: ctx.job.id,
    branch: origin.branchName(target.sha),
    base: target.baseBranch,
    title,
    draft: args.draft,
    labels: pullRequestLabels(payload.kind),
    body: renderPrBody({
      failure: origin.describe(target.sha),
      summary: fix.summary,
      diagnosis: result.diagnosis.summary,
      candidates: describeCandidates(result),
      command: reproduction.failingCommand,
      reproduction: renderReproductionMarkdown(reproduction.outcome, verdict.run),
      before: reproduction.before,
      after: verdict.after,
      diff: verdict.diff,
      ...(verdict.tests ? { tests: verdict.tests } : {}),
      editedTests: changedTestFiles(verdict.diff),
      trace: fix.trace,
      usage: { turns: fix.turns, ...fix.usage },
      spent: ctx.spent,
    }),
    push: async (branch) => {
      // Committed once, before the first push; a retried push sends the same commit.
      // Exactly the tree the verifier checked: nothing the policy did not see is pushed.
      committed ??= deps.commit(workspace, verdict.diff.tree, stripControlCharacters(`${title}\n\n${deps.redact(fix.summary)}`), await deps.botIdentity(payload.installationId));
      await committed;
      await deps.pushBranch({ dir: workspace.dir, cloneUrl: payload.repo.cloneUrl, branch, token });
    },
  });
  if (pr.labelError) ctx.log.warn({ err: pr.labelError, pr: pr.number }, "could not label the pull request");
  // The verified patch, so `patchwright replay` shows what was delivered.
  ctx.record("deliver", { ...pr, patch: verdict.diff.patch });
  return pr;
}
