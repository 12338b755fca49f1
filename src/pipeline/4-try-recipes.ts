import type { RepoConfig } from "../config/repo-config.ts";
import { recipeDiagnosis, recipeFixOutcome } from "../recipes/recipe-fix-outcome.ts";
import { runRecipes } from "../recipes/run-recipes.ts";
import type { CommandResult } from "../workspace/types.ts";
import type { Reproduction } from "./3-reproduce.ts";
import type { FixResult } from "./4-fix.ts";
import { verify } from "./5-verify.ts";
import type { PipelineDeps, Workspace } from "./pipeline-deps.ts";

/**
 * Stage 4a: a known autofix (formatter, linter, lockfile) in the sandbox, no
 * model call and no tokens. Kept only if it passes the same verification as
 * any candidate; otherwise undone, so the agent starts from the original tree.
 */
export async function tryRecipes(args: {
  deps: PipelineDeps;
  kind: "fix-ci" | "fix-issue" | "bump-dependency";
  workspace: Workspace;
  reproduction: Reproduction;
  before: CommandResult;
  baseSha: string;
  config: RepoConfig;
  protectedPaths: readonly string[];
  signal: AbortSignal;
  record(kind: string, data: unknown): void;
}): Promise<FixResult | null> {
  const { workspace, reproduction } = args;
  const recipe = await runRecipes({
    sandbox: workspace.sandbox,
    failingCommand: reproduction.failingCommand,
    failingOutput: args.before.output,
    network: reproduction.plan.steps.at(-1)?.network === true,
    exclude: reproduction.setupArtifacts,
    signal: args.signal,
    onEvent: args.record,
  });
  if (!recipe) return null;
  const verdict = await verify({
    deps: args.deps,
    kind: args.kind,
    // The npm-lockfile recipe's whole point is a regenerated lockfile.
    allowLockfiles: recipe.recipe === "npm-lockfile",
    workspace,
    reproduction,
    baseSha: args.baseSha,
    config: args.config,
    protectedPaths: args.protectedPaths,
    signal: args.signal,
  });
  args.record("candidate", { index: 1, status: "recipe", passed: verdict.passed, changedLines: verdict.diff.insertions + verdict.diff.deletions, problems: verdict.problems });
  if (!verdict.passed) {
    await recipe.undo(); // e.g. it reformatted a protected path
    return null;
  }
  const candidate = { index: 1, workspace, outcome: recipeFixOutcome(recipe), verdict };
  return { diagnosis: recipeDiagnosis(recipe), candidates: [candidate], winner: candidate };
}
