/**
 * Runs a reproduction plan in the sandbox and judges it: red (the step that
 * failed in CI fails here), setup_failed (an earlier step fails here), or,
 * when everything passes, the failing part is re-run to tell a flaky failure
 * from one that does not reproduce at all.
 */
import type { CommandResult, Sandbox } from "../workspace/types.ts";
import { CONFIG_SETUP_STEP } from "./plan-fallback.ts";
import { failingPartStart, runPlan, type ReproductionRun, type RunPlanOptions } from "./run-plan.ts";
import type { PlannedStep, ReproductionPlan } from "./types.ts";

export { runPlan, type ReproductionRun, type RunPlanOptions, type StepRecord } from "./run-plan.ts";

interface Judged {
  /** One sentence for people. */
  readonly summary: string;
  readonly plan: ReproductionPlan;
  /** The first run (for `flaky`/`not_reproducible`, the one that passed). */
  readonly run: ReproductionRun;
}

export type ReproductionOutcome =
  /** The step that failed in CI fails here too. `caveats`: why it may still be a different failure. */
  | (Judged & { readonly verdict: "red"; readonly failure: CommandResult; readonly caveats: readonly string[] })
  /** A step before it (that passed in CI) fails here: the environment differs. */
  | (Judged & { readonly verdict: "setup_failed"; readonly failure: CommandResult })
  /** Passed first, then failed in some re-runs; `failure` is the first failing re-run's. */
  | (Judged & {
      readonly verdict: "flaky";
      readonly reruns: readonly ReproductionRun[];
      readonly runs: number;
      readonly failures: number;
      readonly failure: CommandResult;
    })
  /** Passed in every run. */
  | (Judged & { readonly verdict: "not_reproducible"; readonly reruns: readonly ReproductionRun[]; readonly runs: number });

export interface RunReproductionOptions extends Omit<RunPlanOptions, "initialState"> {
  /** Re-runs of the failing part when the first run passes. Default 2. */
  readonly reruns?: number;
}

const DEFAULT_RERUNS = 2;

/** Runs the plan; when it passes, re-runs the failing part to tell flaky from not reproducible. */
export async function runReproduction(sandbox: Sandbox, plan: ReproductionPlan, options: RunReproductionOptions = {}): Promise<ReproductionOutcome> {
  const target = plan.steps.at(-1)?.name ?? "";
  const run = await runPlan(sandbox, plan, plan.steps, options);
  if (run.failure) {
    if (run.steps.length === plan.steps.length) {
      const summary = `Reproduced: \`${target}\` fails here too (exit ${run.exitCode}).`;
      return { verdict: "red", summary, plan, run, failure: run.failure, caveats: caveats(plan, run) };
    }
    const summary =
      plan.source === "workflow" && run.failedStep !== CONFIG_SETUP_STEP
        ? `\`${run.failedStep ?? ""}\` failed here (exit ${run.exitCode}) although it passed in CI, ` +
          "so the failure could not be reproduced: the environment differs."
        : `The setup command \`${run.steps.at(-1)?.command ?? ""}\` failed (exit ${run.exitCode}), so the failure could not be reproduced.`;
    return { verdict: "setup_failed", summary, plan, run, failure: run.failure };
  }

  const reruns: ReproductionRun[] = [];
  const part = failingPart(plan);
  // Each re-run starts from what the steps before the failing part left (env, PATH, outputs).
  const rerunOptions = { ...options, ...(run.stateBeforeFailingPart ? { initialState: run.stateBeforeFailingPart } : {}) };
  for (let i = 0; i < (options.reruns ?? DEFAULT_RERUNS); i++) reruns.push(await runPlan(sandbox, plan, part, rerunOptions));
  const failed = reruns.filter((r) => r.red);
  const runs = reruns.length + 1;
  const first = failed[0];
  if (first?.failure) {
    return {
      verdict: "flaky",
      summary: `Flaky: \`${first.failedStep ?? target}\` failed in ${failed.length} of ${runs} runs here.`,
      plan,
      run,
      reruns,
      runs,
      failures: failed.length,
      failure: first.failure,
    };
  }
  return {
    verdict: "not_reproducible",
    summary: `Not reproducible — likely flaky or environmental: \`${target}\` passed in all ${runs} runs here.`,
    plan,
    run,
    reruns,
    runs,
  };
}

/**
 * The steps worth re-running: everything after the last dependency
 * installation that precedes the failed step (setup is not repeated).
 */
export function failingPart(plan: Pick<ReproductionPlan, "steps">): PlannedStep[] {
  return plan.steps.slice(failingPartStart(plan));
}

/** Why a red reproduction may still not be CI's failure. */
function caveats(plan: ReproductionPlan, run: ReproductionRun): string[] {
  const found: string[] = [];
  const last = run.steps.at(-1);
  if (last?.inexact) found.push(`\`${last.name}\` is not exact: ${last.inexact}.`);
  if (run.exitCode === 127) found.push("Exit 127: a command was not found; the sandbox may lack a tool CI had.");
  if (last?.timedOut) found.push(`\`${last.name}\` timed out here.`);
  if (!plan.exact) found.push("The plan is not an exact copy of the CI job (see its notes).");
  return found;
}
