import type { RepoConfig } from "../../config/repo-config.ts";
import { PatchwrightError } from "../../errors.ts";
import { pullRequestLabels, type OpenedPullRequest } from "../../github/open-pull-request.ts";
import { commitWebUrl } from "../../github/web-urls.ts";
import { changedTestFiles } from "../../security/check-test-tampering.ts";
import { stripControlCharacters } from "../../security/strip-control-characters.ts";
import type { JobContext } from "../job-context.ts";
import type { Target } from "../origins/origin.ts";
import { renderReproductionDetails, type Reproduction } from "./4-reproduce.ts";
import { describeCandidates, type Candidate, type FixResult } from "./7-fix.ts";
import type { Verdict } from "./8-verify.ts";
import { renderPrBody } from "./render-pr-body.ts";

/** Where a verified fix went: a commit on the failing branch itself, or a pull request (with why, when it was meant to be a commit). */
export type Delivery =
  | { via: "commit"; branch: string; sha: string; url: string }
  | { via: "pull_request"; pr: OpenedPullRequest; fallback?: string };

/**
 * Stage 9: commits the winner as the app, with a `Patchwright-Run:` trailer
 * linking the failing run. Where the origin says so (a same-repository pull
 * request's branch, `pull_request_fixes: commit`) the commit is added to that
 * branch, only while it is still at the failing commit; otherwise, or when
 * the branch moved, it is pushed to the origin's `patchwright/` branch (token
 * on the host side only) and proposed as a pull request onto the target branch
 * (a draft unless `draft: false`, labelled `patchwright` and the job's kind).
 * A pull request a previous run of the same failure opened gets this fix as a
 * new commit on its branch instead of a second pull request. The verified
 * patch goes to the ledger with the delivery.
 */
export async function deliver(
  ctx: JobContext,
  args: { target: Target; reproduction: Reproduction; result: FixResult; winner: Candidate & { verdict: Verdict }; config: RepoConfig },
): Promise<Delivery> {
  const { deps, origin, payload } = ctx;
  ctx.progress("Delivering");
  const { target, reproduction, result } = args;
  const { workspace, outcome: fix, verdict } = args.winner;
  const title = origin.prTitle(fix.summary);
  const token = await ctx.token();
  const trailer = origin.failingRunUrl ? `\n\nPatchwright-Run: ${origin.failingRunUrl}` : "";
  const message = stripControlCharacters(`${title}\n\n${deps.redact(fix.summary)}${trailer}`);
  const author = () => deps.botIdentity(payload.installationId);
  const pushOnto = deps.pushOntoBranch;
  const onto = async (push: typeof pushOnto & {}, branch: string, expectedSha: string) =>
    push({ dir: workspace.dir, cloneUrl: payload.repo.cloneUrl, token, branch, expectedSha, tree: verdict.diff.tree, message, author: await author(), protectedBranch: payload.repo.defaultBranch });

  let fallback: string | undefined;
  const direct = pushOnto ? origin.commitsOnto(args.config) : null;
  if (pushOnto && direct) {
    try {
      const { sha } = await onto(pushOnto, direct.branch, direct.sha);
      const delivery = { via: "commit" as const, branch: direct.branch, sha, url: commitWebUrl(payload.repo.cloneUrl, sha) };
      ctx.record("deliver", { ...delivery, patch: verdict.diff.patch });
      return delivery;
    } catch (error) {
      if (!(error instanceof PatchwrightError) || error.code !== "push_rejected") throw error;
      fallback = `\`${direct.branch}\` moved on from ${direct.sha.slice(0, 7)} while Patchwright worked, so the fix was not added to it (Patchwright never force-pushes): it is proposed as this pull request onto the branch instead.`;
      ctx.log.info({ branch: direct.branch }, "branch moved; delivering as a pull request");
    }
  }

  let committed: Promise<string> | undefined;
  const body = renderPrBody({
    failure: origin.describe(target.sha),
    summary: fix.summary,
    diagnosis: result.diagnosis.summary,
    candidates: describeCandidates(result),
    command: reproduction.failingCommand,
    reproduction: renderReproductionDetails(reproduction, verdict.run),
    before: reproduction.before,
    after: verdict.after,
    diff: verdict.diff,
    ...(verdict.tests ? { tests: verdict.tests } : {}),
    editedTests: changedTestFiles(verdict.diff),
    trace: fix.trace,
    usage: { turns: fix.turns, ...fix.usage },
    spent: ctx.spent,
  });
  const pr = await ctx.github.openPullRequest({
    jobId: ctx.job.id,
    branch: origin.branchName(target.sha),
    base: target.baseBranch,
    title,
    draft: args.config.draft,
    labels: pullRequestLabels(payload.kind),
    body: fallback ? `> [!NOTE]\n> ${fallback}\n\n${body}` : body,
    push: async (branch) => {
      // Committed once, before the first push; a retried push sends the same commit.
      // Exactly the tree the verifier checked: nothing the policy did not see is pushed.
      committed ??= deps.commit(workspace, verdict.diff.tree, message, await author());
      await committed;
      await deps.pushBranch({ dir: workspace.dir, cloneUrl: payload.repo.cloneUrl, branch, token });
    },
    // A re-run of the same failure: its fix on top of the open pull request's branch, never forced.
    ...(pushOnto
      ? {
          update: async (branch: string, headSha: string) => {
            try {
              return (await onto(pushOnto, branch, headSha)).pushed;
            } catch (error) {
              if (!(error instanceof PatchwrightError) || error.code !== "push_rejected") throw error;
              ctx.log.info({ branch }, "the open pull request's branch moved; kept as it is");
              return false;
            }
          },
        }
      : {}),
  });
  if (pr.labelError) ctx.log.warn({ err: pr.labelError, pr: pr.number }, "could not label the pull request");
  // The verified patch, so `patchwright replay` shows what was delivered.
  ctx.record("deliver", { ...pr, patch: verdict.diff.patch });
  return { via: "pull_request", pr, ...(fallback ? { fallback } : {}) };
}
