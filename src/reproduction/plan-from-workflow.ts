/**
 * The failed job's `run:` steps, up to and including the failed one, as CI
 * ran them: matrix values and env substituted, shell and working directory
 * resolved, `if:` decided (by what the jobs API reported when it can, else
 * locally). Parts that depend on earlier steps' outputs or `$GITHUB_ENV` are
 * deferred to run time. Action steps are listed with what they mean for the
 * reproduction. Everything that cannot be known locally is said, per step.
 */
import { describeAction } from "./describe-action.ts";
import { stepDisplayName } from "./display-names.ts";
import { type ExpressionContext, type StepContext, evaluateCondition, interpolate, referencedPaths } from "./evaluate-expression.ts";
import { checkJobEnvironment, jobDefaults, resolveEnv } from "./job-environment.ts";
import type { JobMatch } from "./match-failed-job.ts";
import type { Workflow, WorkflowStep } from "./parse-workflow.ts";
import { resolveShell } from "./resolve-shell.ts";
import { RUNNER_CONTEXT, githubContext, runnerEnvironment } from "./runner-facts.ts";
import { installsDependencies, jailWorkingDirectory } from "./step-facts.ts";
import type { Approximation, DeferredTemplates, GithubFacts, LocalToolchain, PlannedAction, PlannedStep, ReproductionPlan } from "./types.ts";

export interface WorkflowPlanOptions {
  readonly toolchain: LocalToolchain;
  readonly github: GithubFacts;
  /** The workflow file's path, for the plan's description. */
  readonly workflowPath?: string;
}

export type WorkflowPlan = { ok: true; plan: ReproductionPlan } | { ok: false; error: string };

/** Builds the plan for a matched job; an error when the job cannot be reproduced from its file. */
export function planFromWorkflow(workflow: Workflow, match: JobMatch, options: WorkflowPlanOptions): WorkflowPlan {
  const { job } = match;
  const base = { github: githubContext(options.github), runner: RUNNER_CONTEXT, matrix: match.combination };
  const notes: string[] = [...match.notes];
  const approximations: Approximation[] = [];
  let differs = false; // a job-wide reason the plan is not exact
  const workflowEnv = resolveEnv(workflow.env, { ...base, env: {} }, "workflow");
  const jobEnv = resolveEnv(job.env, { ...base, env: workflowEnv.values }, `job \`${job.id}\``);
  const inherited = { ...workflowEnv.values, ...jobEnv.values };
  const inheritedReasons = { ...workflowEnv.reasons, ...jobEnv.reasons };
  for (const difference of checkJobEnvironment(job, { ...base, env: inherited })) {
    notes.push(difference.note);
    approximations.push(difference.approximation);
    differs = true;
  }

  const last = match.failedStepIndex ?? job.steps.length - 1;
  const steps: PlannedStep[] = [];
  const actions: PlannedAction[] = [];
  // `steps.<id>` as planning knows it: run steps succeed (their outputs come at run time), actions are unknown, skipped steps skipped.
  const knownSteps: Record<string, StepContext> = {};
  const plannedSteps: Record<string, StepContext> = {};
  let actionsSetEnv = false;
  for (const step of job.steps.slice(0, last + 1)) {
    const context: ExpressionContext = { ...base, env: inherited, steps: { ...knownSteps, ...plannedSteps }, missingEnv: actionsSetEnv ? "unknown" : "empty" };
    const stepEnv = resolveEnv(step.env, context, "step");
    const env = { ...inherited, ...stepEnv.values };
    const stepContext: ExpressionContext = { ...context, env };
    const name = match.apiNames.get(step.index) ?? stepDisplayName(step, { ...base, env });
    const reasons: string[] = [];
    const skip = (why: string): void => {
      if (step.run !== undefined) notes.push(why);
      if (step.id !== undefined) knownSteps[step.id] = { outputs: {}, outcome: "skipped", conclusion: "skipped" };
    };

    // Did it run in CI? The jobs API knows; otherwise evaluate `if:` here, or when it reads earlier steps, at run time.
    const conclusion = match.conclusions.get(step.index);
    if (conclusion === "skipped") {
      skip(`\`${name}\` was skipped in CI, so it is skipped here.`);
      continue;
    }
    let deferredIf: string | undefined;
    if (conclusion === undefined && step.if !== undefined) {
      // An action's `if:` that reads earlier steps is not decided: the action is listed as if it ran.
      const atRunTime = typeof step.if === "string" && needsRunTime(step.if, env, true);
      if (atRunTime && step.run !== undefined) deferredIf = String(step.if);
      const condition = evaluateCondition(step.if, stepContext);
      if (!atRunTime && condition.decided && !condition.value) {
        skip(`\`${name}\` is skipped: its \`if:\` is false here.`);
        continue;
      }
      if (!atRunTime && !condition.decided) reasons.push(`its \`if:\` cannot be decided locally (${condition.reasons.join("; ")}), so it runs`);
    }

    if (step.uses !== undefined) {
      if (step.index === match.failedStepIndex) {
        return { ok: false, error: `the failed step \`${name}\` is an action (\`uses: ${step.uses}\`), which is not run locally` };
      }
      const described = describeAction({ name, id: step.id, uses: step.uses, with: step.with }, stepContext);
      actions.push(described.action);
      if (described.approximation) approximations.push(described.approximation);
      differs ||= described.differs;
      actionsSetEnv ||= described.action.kind === "toolchain" || described.action.kind === "other";
      if (step.id !== undefined) knownSteps[step.id] = { unknown: `\`${step.id}\` is an action (\`${step.uses}\`), which is not run here` };
      continue;
    }

    const script = interpolate(step.run ?? "", stepContext);
    reasons.push(...script.unresolved);
    const shellSetting = step.shell ?? job.defaults.shell ?? workflow.defaults.shell;
    const shell = resolveShell(shellSetting === undefined ? undefined : interpolate(shellSetting, stepContext).text, options.toolchain);
    if (shell.inexact) reasons.push(shell.inexact);
    const directorySetting = step.workingDirectory ?? job.defaults.workingDirectory ?? workflow.defaults.workingDirectory;
    const directory = directorySetting === undefined ? undefined : interpolate(directorySetting, stepContext);
    reasons.push(...(directory?.unresolved ?? []));
    const jailed = jailWorkingDirectory(directory?.text);
    if (!jailed.ok) return { ok: false, error: `step \`${name}\`: ${jailed.error}` };
    for (const key of Object.keys(env)) reasons.push(...((key in stepEnv.values ? stepEnv.reasons[key] : inheritedReasons[key]) ?? []));
    reasons.push(...stepEnv.blockReasons, ...workflowEnv.blockReasons, ...jobEnv.blockReasons);
    const continueOnError = decideContinueOnError(step.continueOnError, stepContext, reasons);
    const timeoutMinutes = Number(typeof step.timeoutMinutes === "string" ? interpolate(step.timeoutMinutes, stepContext).text : step.timeoutMinutes);
    const deferred = deferredTemplates(step, directorySetting, deferredIf, env, { ...base, env, steps: { ...knownSteps }, actionsSetEnv });
    const unique = [...new Set(reasons)];
    steps.push({
      name,
      ...(step.id !== undefined ? { id: step.id } : {}),
      command: script.text,
      shell: shell.template,
      cwd: jailed.cwd,
      env,
      ...(unique.length > 0 ? { inexact: unique.join("; ") } : {}),
      network: installsDependencies(script.text),
      ...(continueOnError ? { continueOnError } : {}),
      ...(timeoutMinutes > 0 ? { timeoutMs: Math.round(timeoutMinutes * 60_000) } : {}),
      ...(deferred ? { deferred } : {}),
    });
    if (step.id !== undefined) plannedSteps[step.id] = { outputs: {}, outcome: "success", conclusion: "success" };
  }

  if (steps.length === 0) return { ok: false, error: `job \`${job.id}\` has no \`run:\` step up to the failed one` };
  const notRun = actions.filter((a) => a.kind !== "checkout" && a.kind !== "toolchain").map((a) => `\`${a.uses}\``);
  if (notRun.length > 0) notes.push(`Actions are not run here: ${notRun.join(", ")}.`);
  const target = steps.at(-1)?.name ?? "";
  const where = options.workflowPath ? ` of \`${options.workflowPath}\`` : "";
  const upTo = match.failedStepIndex === null ? `all of its \`run:\` steps (the failed step is unknown)` : `up to the failed step \`${target}\``;
  const runnerEnv = runnerEnvironment(options.github);
  const defaults = jobDefaults(workflow, job, { ...base, env: inherited }, options.toolchain);
  return {
    ok: true,
    plan: {
      source: "workflow",
      description: `job \`${match.displayName}\`${where}, ${upTo}`,
      steps,
      notes,
      exact: match.certain && match.failedStepIndex !== null && !differs && steps.every((s) => s.inexact === undefined),
      runnerEnv,
      actions,
      approximations,
      jobEnv: { ...runnerEnv, ...inherited },
      jobShell: defaults.shell,
      jobCwd: defaults.cwd,
    },
  };
}

/**
 * Whether a template needs run time: it reads `steps.*`, or an `env.X` the
 * workflow does not set (an earlier step may, through `$GITHUB_ENV`).
 */
function needsRunTime(template: string, env: Readonly<Record<string, string>>, condition = false): boolean {
  return referencedPaths(template, condition).some(([root = "", name]) => {
    const context = root.toLowerCase();
    return context === "steps" || (context === "env" && (name === undefined || !(name in env)));
  });
}

/** The parts of a `run:` step evaluated at run time, with the contexts they need; undefined when none. */
function deferredTemplates(
  step: WorkflowStep,
  directory: string | undefined,
  condition: string | undefined,
  env: Readonly<Record<string, string>>,
  context: DeferredTemplates["context"],
): DeferredTemplates | undefined {
  const run = step.run !== undefined && needsRunTime(step.run, env) ? step.run : undefined;
  const stepEnv = Object.entries(step.env.values).filter(([, value]) => needsRunTime(value, env));
  const workingDirectory = directory !== undefined && needsRunTime(directory, env) ? directory : undefined;
  if (run === undefined && stepEnv.length === 0 && workingDirectory === undefined && condition === undefined) return undefined;
  return {
    ...(run !== undefined ? { run } : {}),
    ...(stepEnv.length > 0 ? { env: Object.fromEntries(stepEnv) } : {}),
    ...(condition !== undefined ? { if: condition } : {}),
    ...(workingDirectory !== undefined ? { workingDirectory } : {}),
    context,
  };
}

function decideContinueOnError(setting: boolean | string | undefined, context: ExpressionContext, reasons: string[]): boolean {
  if (setting === undefined || typeof setting === "boolean") return setting === true;
  const condition = evaluateCondition(setting, context);
  if (condition.decided) return condition.value;
  reasons.push(`its \`continue-on-error\` cannot be decided locally (${condition.reasons.join("; ")})`);
  return false;
}
