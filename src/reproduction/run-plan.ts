/**
 * Runs some steps of a plan in the sandbox, as a runner does: each step gets
 * fresh file-command files (`runner-files.ts`); what it writes there is
 * carried to the later steps (`runner-state.ts`), and deferred steps are
 * evaluated with it (`resolve-deferred-step.ts`).
 */
import { PatchwrightError } from "../errors.ts";
import { SANDBOX_PATH } from "../workspace/sandbox-env.ts";
import type { CommandResult, Sandbox } from "../workspace/types.ts";
import { resolveDeferredStep } from "./resolve-deferred-step.ts";
import { openRunnerFiles } from "./runner-files.ts";
import { applyFileCommands, EMPTY_RUNNER_STATE, recordSkipped, type RunnerState } from "./runner-state.ts";
import { toSandboxCommand } from "./shell-command.ts";
import { withoutRefusedVariables } from "./step-facts.ts";
import type { PlannedStep, ReproductionPlan } from "./types.ts";

export interface StepRecord {
  readonly name: string;
  /** The step's script as run (a deferred one as evaluated here; see `toOneLiner` for a runnable line). */
  readonly command: string;
  readonly cwd: string;
  readonly network: boolean;
  readonly exitCode: number;
  readonly durationMs: number;
  readonly timedOut: boolean;
  /** The tail of the output, capped. */
  readonly outputExcerpt: string;
  readonly inexact?: string;
  /** Its `if:` was false here, with the outputs of the steps before: it did not run. */
  readonly skipped?: boolean;
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
  /** The runner state after the last step that ran. */
  readonly state: RunnerState;
  /**
   * The runner state just before `failingPart(plan)` started: what a later
   * `runPlan` of the failing part takes as `initialState`. Absent when the
   * run stopped before it.
   */
  readonly stateBeforeFailingPart?: RunnerState;
}

export interface RunPlanOptions {
  /** Timeout of a step without `timeout-minutes`. Default 10 minutes. */
  readonly stepTimeoutMs?: number;
  /** Upper bound for a step's own `timeout-minutes`. Default 30 minutes. */
  readonly maxStepTimeoutMs?: number;
  /** Characters of output kept per step (the tail). Default 2000. */
  readonly excerptChars?: number;
  /** Checked between steps; an abort throws PatchwrightError `cancelled`. */
  readonly signal?: AbortSignal;
  /** The state the first step starts from (`stateBeforeFailingPart` of an earlier run); default empty. */
  readonly initialState?: RunnerState;
  /**
   * The PATH a step has without `$GITHUB_PATH` additions (default the
   * sandbox's). Only with additions is PATH set at all, as `<added>:<this>`:
   * a sandbox decorator that provides PATH (toolchains) keeps entries it did not add in front.
   */
  readonly basePath?: string;
  /** Where the run's file-command directory is made; default the OS temp directory. */
  readonly runnerTempDir?: string;
}

export const RUN_DEFAULTS = { stepTimeoutMs: 10 * 60_000, maxStepTimeoutMs: 30 * 60_000, excerptChars: 2000 };

/** Where the failing part starts in `plan.steps`: after the last dependency installation before the failed step. */
export function failingPartStart(plan: Pick<ReproductionPlan, "steps">): number {
  return plan.steps.slice(0, -1).findLastIndex((step) => step.network) + 1;
}

/**
 * Runs `steps` of `plan` in order, stopping at the first failure (unless the
 * step continues on error). `steps` is the plan or a suffix of it (possibly
 * with changed commands): that is how the step before which
 * `stateBeforeFailingPart` is taken is found.
 */
export async function runPlan(sandbox: Sandbox, plan: ReproductionPlan, steps: readonly PlannedStep[], options: RunPlanOptions = {}): Promise<ReproductionRun> {
  const records: StepRecord[] = [];
  let total = 0;
  let last: CommandResult | undefined;
  let state = options.initialState ?? EMPTY_RUNNER_STATE;
  const partIndex = failingPartStart(plan) - (plan.steps.length - steps.length);
  let before: RunnerState | undefined = partIndex <= 0 ? state : undefined;
  const files = await openRunnerFiles(sandbox, options.runnerTempDir);
  try {
    for (const [index, planned] of steps.entries()) {
      if (options.signal?.aborted) throw new PatchwrightError("cancelled", "The reproduction was stopped before it finished.");
      if (index === partIndex) before = state;
      const resolved = resolveDeferredStep(planned, state);
      const base = { name: planned.name, cwd: planned.cwd, network: planned.network };
      if (resolved.kind === "skip") {
        records.push({ ...base, command: planned.command, exitCode: 0, durationMs: 0, timedOut: false, outputExcerpt: "", skipped: true });
        state = recordSkipped(state, planned.id);
        continue;
      }
      const step = resolved.kind === "run" ? resolved.step : planned;
      const stepFiles = await files.forStep();
      const addedPath = state.pathPrepend.length > 0 ? { PATH: [...state.pathPrepend, step.env["PATH"] ?? options.basePath ?? SANDBOX_PATH].join(":") } : {};
      const ran: CommandResult =
        resolved.kind === "error"
          ? { command: step.command, exitCode: 1, output: `patchwright: ${resolved.error}\n`, durationMs: 0, timedOut: false, truncated: false }
          : await sandbox.run(toSandboxCommand(step), {
              network: step.network,
              timeoutMs: Math.min(step.timeoutMs ?? options.stepTimeoutMs ?? RUN_DEFAULTS.stepTimeoutMs, options.maxStepTimeoutMs ?? RUN_DEFAULTS.maxStepTimeoutMs),
              env: withoutRefusedVariables({ ...plan.runnerEnv, ...state.env, ...step.env, ...addedPath, ...stepFiles.env }),
              cwd: step.cwd,
              binds: stepFiles.binds,
              ...(options.signal ? { signal: options.signal } : {}),
            });
      const applied = applyFileCommands(
        state,
        { name: step.name, id: step.id, failed: ran.exitCode !== 0, continueOnError: step.continueOnError === true },
        await stepFiles.read(),
      );
      state = applied.state;
      // GitHub fails a step whose file commands it cannot process, whatever the script's exit code.
      const result: CommandResult =
        applied.error === undefined ? ran : { ...ran, exitCode: ran.exitCode === 0 ? 1 : ran.exitCode, output: `${ran.output}Error: ${applied.error}\n` };
      const ignored = applied.ignored.map((line) => `patchwright: ${line}\n`).join("");
      const inexact = [...new Set([...(step.inexact ? [step.inexact] : []), ...(resolved.kind === "run" ? resolved.inexact : []), ...applied.inexact])];
      total += result.durationMs;
      records.push({
        ...base,
        command: step.command,
        cwd: step.cwd,
        exitCode: result.exitCode,
        durationMs: result.durationMs,
        timedOut: result.timedOut,
        outputExcerpt: tail(result.output + ignored, options.excerptChars ?? RUN_DEFAULTS.excerptChars),
        ...(inexact.length > 0 ? { inexact: inexact.join("; ") } : {}),
      });
      if (result.exitCode !== 0 && step.continueOnError !== true) {
        return { steps: records, failedStep: step.name, exitCode: result.exitCode, red: true, durationMs: total, failure: result, last: result, state, ...(before ? { stateBeforeFailingPart: before } : {}) };
      }
      last = result;
    }
  } finally {
    await files.dispose();
  }
  return { steps: records, exitCode: 0, red: false, durationMs: total, ...(last ? { last } : {}), state, ...(before ? { stateBeforeFailingPart: before } : {}) };
}

function tail(output: string, chars: number): string {
  return output.length <= chars ? output : `…${output.slice(-chars)}`;
}
