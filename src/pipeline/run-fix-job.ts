import { fence, tail } from "../github/markdown.ts";
import type { Ending, JobContext } from "./job-context.ts";
import { admit } from "./stages/1-admit.ts";
import { evidenceAndReproduction } from "./stages/evidence-and-reproduction.ts";
import { endUnlessRed, REPORT_EXCERPT_CHARS } from "./stages/4-reproduce.ts";
import { tryRecipes } from "./stages/5-recipes.ts";
import { briefFor, investigate } from "./stages/6-investigate.ts";
import { describeCandidates, fixInParallel, type FixResult } from "./stages/7-fix.ts";
import { deliver, type Delivery } from "./stages/9-deliver.ts";
import { diffPolicyFor } from "./stages/diff-policy-for.ts";
import { annotated, locateAnnotations } from "./stages/locate-annotations.ts";

/**
 * A fix job (a red build, or `/agent fix`), as its stages. The frame
 * (`run-job.ts`) reports the ending, maps errors and disposes workspaces.
 */
export async function runFixJob(ctx: JobContext): Promise<Ending> {
  const { origin } = ctx;
  const { config, budget } = await admit(ctx); // 1
  const target = await origin.target();
  const acknowledged = await origin.start(target).catch((error: unknown) => (ctx.log.warn({ err: error }, "could not show the job started"), null));
  if (acknowledged !== null) ctx.record("ack", { checkRunId: acknowledged });
  const { evidence, reproduction } = await evidenceAndReproduction(ctx, { target, config, reruns: config.flaky_reruns }); // 2, 3, 4
  const { workspace } = reproduction; // with the job's toolchains and env, from here on
  const issueMode = origin.writesTestFirst && reproduction.outcome.verdict !== "red";
  if (!issueMode) endUnlessRed(ctx, reproduction);
  const policy = diffPolicyFor(config, ctx.deps.redact, { lockfiles: false });
  // Where it failed, read while the workspace is still the red commit: the report's annotations.
  let annotations = await locateAnnotations(workspace, [
    { text: evidence.text, level: "failure" },
    { text: reproduction.before.output, level: "failure" },
  ]);

  const byRecipe = issueMode ? null : await tryRecipes(ctx, { workspace, reproduction, baseSha: target.sha, policy }); // 5
  let result: FixResult;
  if (byRecipe) result = byRecipe;
  else {
    const brief = await briefFor(ctx, { config, reproduction, evidence: evidence.text, issueMode, request: origin.request(target) });
    const diagnosis = await investigate(ctx, { workspace, brief, budget }); // 6
    annotations = await locateAnnotations(workspace, [{ text: diagnosis.summary, level: "notice" }], annotations);
    result = await fixInParallel(ctx, { diagnosis, base: workspace, sha: target.sha, candidates: config.candidates, budget, reproduction, policy, brief }); // 7, 8
  }
  ctx.checkpoint();
  const { winner } = result;
  if (!winner?.verdict) return annotated(noVerifiedFix(reproduction.failingCommand, result), annotations);
  const delivery = await deliver(ctx, { target, reproduction, result, winner: { ...winner, verdict: winner.verdict }, config }); // 9
  return annotated(delivered(delivery, reproduction.failingCommand), annotations);
}

/** The ending of a delivered fix: where it went, and why there when it was meant to go elsewhere. */
function delivered(delivery: Delivery, command: string): Ending {
  const passes = `\`${command}\` now passes.`;
  if (delivery.via === "commit") {
    const { branch, sha, url } = delivery;
    return {
      result: { state: "succeeded", summary: url },
      report: { conclusion: "success", title: `Fix committed to ${branch}`, summary: `Patchwright added [${sha.slice(0, 7)}](${url}) to \`${branch}\` with a fix: ${passes}`, url },
    };
  }
  const { pr, fallback } = delivery;
  const what = pr.updated ? `added a new commit with a fix to ${pr.url}` : `opened ${pr.url} with a fix`;
  return {
    result: { state: "succeeded", summary: pr.url },
    report: {
      conclusion: "success",
      title: pr.updated ? `Fix updated in #${pr.number}` : `Fix proposed in #${pr.number}`,
      summary: `Patchwright ${what}: ${passes}${fallback ? `\n\n${fallback}` : ""}`,
      url: pr.url,
    },
  };
}

/** Out of budget or out of ideas: the best attempt is reported, not thrown away. */
function noVerifiedFix(command: string, result: FixResult): Ending {
  const best = result.candidates
    .filter((c) => c.verdict && c.verdict.diff.files.length > 0)
    .sort((x, y) => x.verdict!.problems.length - y.verdict!.problems.length)[0];
  return {
    result: { state: "failed", summary: "no verified fix" },
    report: {
      conclusion: "failure",
      title: "No verified fix",
      summary: `Patchwright could not produce a fix that passes \`${command}\`.\n\n${describeCandidates(result)}\n\n**Diagnosis** (${result.diagnosis.status}):\n\n${result.diagnosis.summary || "(none)"}`,
      ...(best?.verdict
        ? {
            details: `Best attempt (candidate ${best.index}: ${best.outcome.summary.split("\n")[0] ?? ""}):\n\n${fence(best.verdict.diff.patch.slice(0, 20_000), "diff")}\n\nTests after it:\n${fence(tail(best.verdict.after.output, REPORT_EXCERPT_CHARS))}`,
          }
        : {}),
    },
  };
}
