import { recipeDiagnosis, recipeFixOutcome } from "../../recipes/recipe-fix-outcome.ts";
import { runRecipes } from "../../recipes/run-recipes.ts";
import type { DiffPolicy } from "../../security/check-diff-policy.ts";
import type { Workspace } from "../../workspace/types.ts";
import type { JobContext } from "../job-context.ts";
import type { Reproduction } from "./4-reproduce.ts";
import type { FixResult } from "./7-fix.ts";
import { verify } from "./8-verify.ts";

/**
 * Stage 5: a known autofix (formatter, linter, lockfile) in the sandbox, no
 * model call and no tokens. Kept only if it passes the same verification as
 * any candidate; otherwise undone, so the agent starts from the original tree.
 */
export async function tryRecipes(
  ctx: JobContext,
  args: { workspace: Workspace; reproduction: Reproduction; baseSha: string; policy: DiffPolicy },
): Promise<FixResult | null> {
  const { workspace, reproduction } = args;
  ctx.progress("Trying known fixes");
  const recipe = await runRecipes({
    sandbox: workspace.sandbox,
    failingCommand: reproduction.failingCommand,
    failingOutput: reproduction.before.output,
    network: reproduction.plan.steps.at(-1)?.network === true,
    exclude: reproduction.setupArtifacts,
    signal: ctx.signal,
    onEvent: ctx.record,
  });
  if (!recipe) return null;
  const verdict = await verify({
    deps: ctx.deps,
    workspace,
    reproduction,
    baseSha: args.baseSha,
    // The npm-lockfile recipe's whole point is a lockfile the package manager regenerated.
    policy: recipe.recipe === "npm-lockfile" ? { ...args.policy, allowLockfiles: true } : args.policy,
    // A formatter may reformat tests, never change what they expect.
    allowTestChanges: false,
    signal: ctx.signal,
  });
  ctx.record("candidate", { index: 1, status: "recipe", passed: verdict.passed, changedLines: verdict.diff.insertions + verdict.diff.deletions, problems: verdict.problems, verifyMs: verdict.durationMs });
  if (!verdict.passed) {
    await recipe.undo(); // e.g. it reformatted a protected path
    return null;
  }
  const candidate = { index: 1, workspace, outcome: recipeFixOutcome(recipe), verdict };
  return { diagnosis: recipeDiagnosis(recipe), candidates: [candidate], winner: candidate };
}
