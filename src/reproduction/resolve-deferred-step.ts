/**
 * A deferred step made concrete while the plan runs: its `run:`, step-level
 * `env:`, `if:` and `working-directory` evaluated with the runner state so
 * far (`steps.<id>.outputs.*`, outcomes, `$GITHUB_ENV` variables).
 */
import { type ExpressionContext, evaluateCondition, interpolate } from "./evaluate-expression.ts";
import { type RunnerState, stepsContext } from "./runner-state.ts";
import { jailWorkingDirectory, refusedVariable } from "./step-facts.ts";
import type { DeferredContext, PlannedStep } from "./types.ts";

export type ResolvedStep =
  /** `inexact`: why this run of it is not CI's (unknown values met at run time). */
  | { readonly kind: "run"; readonly step: PlannedStep; readonly inexact: readonly string[] }
  /** Its `if:` is false with the state so far. */
  | { readonly kind: "skip" }
  /** Cannot run (a working directory that leaves the checkout): the step fails with this. */
  | { readonly kind: "error"; readonly error: string };

/** The expression context of a deferred step, given the state so far. */
export function runtimeContext(context: DeferredContext, state: RunnerState): ExpressionContext {
  return {
    matrix: context.matrix,
    github: context.github,
    runner: context.runner,
    env: { ...state.env, ...context.env },
    steps: stepsContext(state, context.steps),
    missingEnv: context.actionsSetEnv ? "unknown" : "empty",
  };
}

export function resolveDeferredStep(step: PlannedStep, state: RunnerState): ResolvedStep {
  const deferred = step.deferred;
  if (deferred === undefined) return { kind: "run", step, inexact: [] };
  const context = runtimeContext(deferred.context, state);
  const reasons: string[] = [];
  if (deferred.if !== undefined) {
    const condition = evaluateCondition(deferred.if, context);
    if (condition.decided && !condition.value) return { kind: "skip" };
    if (!condition.decided) reasons.push(`its \`if:\` cannot be decided here (${condition.reasons.join("; ")}), so it runs`);
  }
  const env: Record<string, string> = { ...step.env };
  for (const [key, template] of Object.entries(deferred.env ?? {})) {
    const value = interpolate(template, context);
    reasons.push(...value.unresolved.map((r) => `env ${key}: ${r}`));
    const refused = refusedVariable(key, value.text);
    if (refused === null) env[key] = value.text;
    else reasons.push(`env ${key} is not passed: ${refused}`);
  }
  // The step's own env is its `env` context from here on (a `run:` may read `env.X` set just above).
  const withEnv = { ...context, env: { ...state.env, ...env } };
  let cwd = step.cwd;
  if (deferred.workingDirectory !== undefined) {
    const directory = interpolate(deferred.workingDirectory, withEnv);
    reasons.push(...directory.unresolved);
    const jailed = jailWorkingDirectory(directory.text);
    if (!jailed.ok) return { kind: "error", error: jailed.error };
    cwd = jailed.cwd;
  }
  let command = step.command;
  if (deferred.run !== undefined) {
    const script = interpolate(deferred.run, withEnv);
    reasons.push(...script.unresolved);
    command = script.text;
  }
  return { kind: "run", step: { ...step, command, env, cwd }, inexact: [...new Set(reasons)] };
}
