import type { FixOutcome } from "../agent/fix-request.ts";
import type { RecipeResult } from "./run-recipes.ts";

const NO_USAGE = { promptTokens: 0, completionTokens: 0 };

/**
 * A green recipe as the fix stage's outcome, so verify and deliver treat it
 * like an agent's: status `recipe`, no turns, no tokens, and a trace of the
 * commands for the PR body.
 */
export function recipeFixOutcome(result: RecipeResult): FixOutcome {
  return {
    status: "recipe",
    summary: result.description,
    turns: 0,
    usage: NO_USAGE,
    trace: [
      `recipe ${result.recipe} (no model call)`,
      ...result.commands.map((c) => `run ${c.command} → exit ${c.exitCode}`),
      `run ${result.after.command} → exit ${result.after.exitCode}`,
    ],
  };
}

/** The diagnosis stage's outcome when a recipe fixed the failure (the PR's "Root cause"). */
export function recipeDiagnosis(result: RecipeResult): FixOutcome {
  return {
    status: "recipe",
    summary: `A known, mechanical failure: the \`${result.recipe}\` recipe recognised it from the output of \`${result.after.command}\` and fixed it without a model call.`,
    turns: 0,
    usage: NO_USAGE,
    trace: [],
  };
}
