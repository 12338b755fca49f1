/**
 * Runs a reproduction plan in the sandbox and judges it: red (the step that
 * failed in CI fails here), setup_failed (an earlier step fails here), or,
 * when everything passes, the failing part is re-run to tell a flaky failure
 * from one that does not reproduce at all.
 */
import { PatchwrightError } from "../errors.ts";
import type { CommandResult, Sandbox } from "../workspace/types.ts";
import { toSandboxCommand } from "./shell-command.ts";
import { withoutRefusedVariables } from "./step-facts.ts";
import type { PlannedStep, ReproductionPlan } from "./types.ts";

export interface StepRecord {
  readonly name: string;
  /** The step's script as planned (see `toOneLiner` for a runnable line). */
  readonly command: string;
  readonly cwd: string;
  readonly network: boolean;
  readonly exitCode: number;
  readonly durationMs: number;
  readonly timedOut: boolean;
  /** The tail of the output, capped. */
  readonly outputExcerpt: string;
  readonly inexact?: string;
}

/** One pass over some steps, stopped at the first failure. */
export interface ReproductionRun {
  readonly steps: readonly StepRecord[];
  /** The step that stopped the run. */
  readonly failedStep?: string;
  /** Exit code of the failed step, 0 when all passed. */
  readonly exitCode: number;
  readonly red: boolean;
  readonly durationMs: number;
  /** The failed step's full result (for the agent); absent when all passed. */
  readonly failure?: CommandResult;
  /** The last step's full result, failed or not (its test runner's report is read from it). */
  readonly last?: CommandResult;
}

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

export interface RunReproductionOptions {
  /** Re-runs of the failing part when the first run passes. Default 2. */
  readonly reruns?: number;
  /** Timeout of a step without `timeout-minutes`. Default 10 minutes. */
  readonly stepTimeoutMs?: number;
  /** Upper bound for a step's own `timeout-minutes`. Default 30 minutes. */
  readonly maxStepTimeoutMs?: number;
  /** Characters of output kept per step (the tail). Default 2000. */
  readonly excerptChars?: number;
  /** Checked between steps; an abort throws PatchwrightError `cancelled`. */
  readonly signal?: AbortSignal;
}

const DEFAULTS = { reruns: 2, stepTimeoutMs: 10 * 60_000, maxStepTimeoutMs: 30 * 60_000, excerptChars: 2000 };

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
      plan.source === "workflow"
        ? `\`${run.failedStep ?? ""}\` failed here (exit ${run.exitCode}) although it passed in CI, ` +
          "so the failure could not be reproduced: the environment differs."
        : `The setup command \`${run.steps.at(-1)?.command ?? ""}\` failed (exit ${run.exitCode}), so the failure could not be reproduced.`;
    return { verdict: "setup_failed", summary, plan, run, failure: run.failure };
  }

  const reruns: ReproductionRun[] = [];
  const part = failingPart(plan);
  for (let i = 0; i < (options.reruns ?? DEFAULTS.reruns); i++) reruns.push(await runPlan(sandbox, plan, part, options));
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
export function failingPart(plan: ReproductionPlan): PlannedStep[] {
  const steps = [...plan.steps];
  const lastSetup = steps.slice(0, -1).findLastIndex((step) => step.network);
  return steps.slice(lastSetup + 1);
}

/** Runs `steps` of `plan` in order, stopping at the first failure (unless the step continues on error). */
export async function runPlan(
  sandbox: Sandbox,
  plan: ReproductionPlan,
  steps: readonly PlannedStep[],
  options: RunReproductionOptions = {},
): Promise<ReproductionRun> {
  const records: StepRecord[] = [];
  let total = 0;
  let last: CommandResult | undefined;
  for (const step of steps) {
    if (options.signal?.aborted) throw new PatchwrightError("cancelled", "The reproduction was stopped before it finished.");
    const result = await sandbox.run(toSandboxCommand(step), {
      network: step.network,
      timeoutMs: Math.min(step.timeoutMs ?? options.stepTimeoutMs ?? DEFAULTS.stepTimeoutMs, options.maxStepTimeoutMs ?? DEFAULTS.maxStepTimeoutMs),
      env: withoutRefusedVariables({ ...plan.runnerEnv, ...step.env }),
      cwd: step.cwd,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    total += result.durationMs;
    records.push({
      name: step.name,
      command: step.command,
      cwd: step.cwd,
      network: step.network,
      exitCode: result.exitCode,
      durationMs: result.durationMs,
      timedOut: result.timedOut,
      outputExcerpt: tail(result.output, options.excerptChars ?? DEFAULTS.excerptChars),
      ...(step.inexact !== undefined ? { inexact: step.inexact } : {}),
    });
    if (result.exitCode !== 0 && step.continueOnError !== true) {
      return { steps: records, failedStep: step.name, exitCode: result.exitCode, red: true, durationMs: total, failure: result, last: result };
    }
    last = result;
  }
  return { steps: records, exitCode: 0, red: false, durationMs: total, ...(last ? { last } : {}) };
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

function tail(output: string, chars: number): string {
  return output.length <= chars ? output : `…${output.slice(-chars)}`;
}
