/**
 * What the runner carries from one step to the next: variables set through
 * `$GITHUB_ENV`, directories added through `$GITHUB_PATH`, and the outcome and
 * `$GITHUB_OUTPUT` outputs of steps with an `id:`. Pure: the files are read by
 * `runner-files.ts`.
 */
import type { StepContext } from "./evaluate-expression.ts";
import { parseKeyValueFile, parsePathFile } from "./parse-file-commands.ts";
import { refusedVariable } from "./step-facts.ts";

/** The `steps.<id>` entry of a step that ran (or was skipped) here. */
export interface StepResult {
  readonly outputs: Readonly<Record<string, string>>;
  /** Before `continue-on-error`: `success`, `failure` or `skipped`. */
  readonly outcome: "success" | "failure" | "skipped";
  /** After `continue-on-error` (a failure that continues is `success`). */
  readonly conclusion: "success" | "failure" | "skipped";
}

export interface RunnerState {
  /** Variables set through `$GITHUB_ENV`; a step's own `env:` (workflow, job, step) wins over them, as on GitHub. */
  readonly env: Readonly<Record<string, string>>;
  /**
   * Directories added through `$GITHUB_PATH`, in PATH order (the latest
   * first). Later steps get `PATH=<these>:<the PATH they would otherwise have>`.
   */
  readonly pathPrepend: readonly string[];
  /** `steps.<id>` of the steps that ran, by id. */
  readonly steps: Readonly<Record<string, StepResult>>;
}

export const EMPTY_RUNNER_STATE: RunnerState = { env: {}, pathPrepend: [], steps: {} };

/** A file command file as read on the host: its text, or why it was not taken. */
export type FileRead = { readonly text: string } | { readonly problem: string };

export interface StepFileReads {
  readonly env: FileRead;
  readonly path: FileRead;
  readonly output: FileRead;
}

export interface AppliedFileCommands {
  readonly state: RunnerState;
  /** What GitHub's runner would report as the step's error (it fails the step). */
  readonly error?: string;
  /** Why later steps may not see what CI's saw (a file not taken, a variable the sandbox refuses). */
  readonly inexact: readonly string[];
  /** What was ignored as GitHub ignores it, for the step's record. */
  readonly ignored: readonly string[];
}

/**
 * The state after a step: its file commands applied (GitHub processes them
 * after the script, whatever its exit code) and, with an `id`, its result.
 */
export function applyFileCommands(
  state: RunnerState,
  step: { readonly name: string; readonly id?: string | undefined; readonly failed: boolean; readonly continueOnError: boolean },
  reads: StepFileReads,
): AppliedFileCommands {
  const inexact: string[] = [];
  const ignored: string[] = [];
  let error: string | undefined;
  const pairsOf = (read: FileRead, variable: string): readonly (readonly [string, string])[] => {
    if ("problem" in read) {
      inexact.push(`what \`${step.name}\` wrote to $${variable} was not taken: ${read.problem}`);
      return [];
    }
    const parsed = parseKeyValueFile(read.text);
    if (!parsed.ok) {
      error ??= `Unable to process file command '${variable === "GITHUB_ENV" ? "env" : "output"}' successfully: ${parsed.error}`;
      return [];
    }
    return parsed.pairs;
  };

  const env = { ...state.env };
  for (const [name, value] of pairsOf(reads.env, "GITHUB_ENV")) {
    if (name.toUpperCase() === "NODE_OPTIONS") ignored.push("NODE_OPTIONS cannot be set through $GITHUB_ENV (GitHub refuses it too)");
    else if (/^(GITHUB|RUNNER)_/.test(name)) ignored.push(`${name} cannot be set through $GITHUB_ENV (GitHub keeps its default variables)`);
    else {
      const refused = refusedVariable(name, value);
      if (refused === null) env[name] = value;
      else inexact.push(`$GITHUB_ENV set ${name}, which is not passed: ${refused}`);
    }
  }

  let pathPrepend = [...state.pathPrepend];
  if ("problem" in reads.path) inexact.push(`what \`${step.name}\` wrote to $GITHUB_PATH was not taken: ${reads.path.problem}`);
  else {
    for (const dir of parsePathFile(reads.path.text)) pathPrepend = [dir, ...pathPrepend.filter((d) => d !== dir)];
  }

  const outputs: Record<string, string> = {};
  for (const [name, value] of pairsOf(reads.output, "GITHUB_OUTPUT")) outputs[name] = value;
  const failed = step.failed || error !== undefined;
  const outcome = failed ? "failure" : "success";
  const steps =
    step.id === undefined
      ? state.steps
      : { ...state.steps, [step.id]: { outputs, outcome, conclusion: failed && step.continueOnError ? "success" : outcome } as const };
  return { state: { env, pathPrepend, steps }, ...(error !== undefined ? { error } : {}), inexact, ignored };
}

/** The state with a step that was skipped here (its `if:` was false). */
export function recordSkipped(state: RunnerState, id: string | undefined): RunnerState {
  if (id === undefined) return state;
  return { ...state, steps: { ...state.steps, [id]: { outputs: {}, outcome: "skipped", conclusion: "skipped" } } };
}

/** The `steps` expression context: what planning knew (actions not run here, steps skipped in CI), then the results so far. */
export function stepsContext(state: RunnerState, planned: Readonly<Record<string, StepContext>>): Record<string, StepContext> {
  return { ...planned, ...state.steps };
}
