/**
 * A command outside the plan (a fixer's, a recipe's) run as one more step of
 * the failed job would be: the job's shell, working directory and
 * environment, plus what the reproduction's steps left in the runner state
 * (`$GITHUB_ENV` variables, `$GITHUB_PATH` directories).
 */
import { SANDBOX_PATH } from "../workspace/sandbox-env.ts";
import type { RunOptions } from "../workspace/types.ts";
import { EMPTY_RUNNER_STATE, type RunnerState } from "./runner-state.ts";
import { toSandboxCommand } from "./shell-command.ts";
import { withoutRefusedVariables } from "./step-facts.ts";
import type { ReproductionPlan } from "./types.ts";

/** Writes to the file commands go nowhere outside a plan's run. */
const DISCARDED_FILE_COMMANDS = Object.fromEntries(
  ["GITHUB_ENV", "GITHUB_PATH", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_STATE"].map((name) => [name, "/dev/null"]),
);

export interface JobCommand {
  /** For `sandbox.run`. */
  readonly command: string;
  /** `env` and `cwd` for `sandbox.run` (add `network`, `timeoutMs`, ... as needed). */
  readonly options: Pick<RunOptions, "env" | "cwd">;
}

/**
 * @param script the command, as a `run:` step would hold it.
 * @param state usually `run.stateBeforeFailingPart` (or `run.state`) of the reproduction.
 * @param options.shell `plan.jobShell` by default; `bash {0}` runs the line as is.
 * @param options.basePath the PATH without `$GITHUB_PATH` additions (see `RunPlanOptions.basePath`).
 */
export function jobCommand(
  plan: Pick<ReproductionPlan, "jobEnv" | "jobShell" | "jobCwd">,
  script: string,
  state: RunnerState = EMPTY_RUNNER_STATE,
  options: { readonly shell?: string; readonly cwd?: string; readonly basePath?: string } = {},
): JobCommand {
  const env: Record<string, string> = { ...state.env, ...plan.jobEnv, ...DISCARDED_FILE_COMMANDS };
  if (state.pathPrepend.length > 0) env["PATH"] = [...state.pathPrepend, plan.jobEnv["PATH"] ?? options.basePath ?? SANDBOX_PATH].join(":");
  return {
    command: toSandboxCommand({ command: script, shell: options.shell ?? plan.jobShell }),
    options: { env: withoutRefusedVariables(env), cwd: options.cwd ?? plan.jobCwd },
  };
}
