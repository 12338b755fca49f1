/**
 * The failed job's `run:` steps, up to and including the failed one, as CI
 * ran them: matrix values and env substituted, shell and working directory
 * resolved, `if:` decided (by what the jobs API reported when it can, else
 * locally). Everything that cannot be known locally is said, per step.
 */
import { checkToolchain } from "./check-toolchain.ts";
import { stepDisplayName } from "./display-names.ts";
import { type ExpressionContext, evaluateCondition, interpolate } from "./evaluate-expression.ts";
import type { JobMatch } from "./match-failed-job.ts";
import type { EnvBlock, Workflow } from "./parse-workflow.ts";
import { resolveShell } from "./resolve-shell.ts";
import { RUNNER_CONTEXT, githubContext, runnerEnvironment } from "./runner-facts.ts";
import { installsDependencies, jailWorkingDirectory, refusedVariable } from "./step-facts.ts";
import type { GithubFacts, LocalToolchain, PlannedStep, ReproductionPlan } from "./types.ts";

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
  const differs: string[] = []; // job-wide reasons the plan is not exact
  const workflowEnv = resolveEnv(workflow.env, { ...base, env: {} }, "workflow");
  const jobEnv = resolveEnv(job.env, { ...base, env: workflowEnv.values }, `job \`${job.id}\``);
  const inherited = { ...workflowEnv.values, ...jobEnv.values };
  const inheritedReasons = { ...workflowEnv.reasons, ...jobEnv.reasons };
  for (const reason of checkJobEnvironment(job, { ...base, env: inherited })) {
    notes.push(reason);
    differs.push(reason);
  }

  const last = match.failedStepIndex ?? job.steps.length - 1;
  const steps: PlannedStep[] = [];
  const skippedActions: string[] = [];
  let fileCommandsWriter: string | undefined;
  for (const step of job.steps.slice(0, last + 1)) {
    const stepEnv = resolveEnv(step.env, { ...base, env: inherited }, "step");
    const env = { ...inherited, ...stepEnv.values };
    const context: ExpressionContext = { ...base, env };
    const name = match.apiNames.get(step.index) ?? stepDisplayName(step, context);
    const reasons: string[] = [];

    // Did it run in CI? The jobs API knows; otherwise evaluate `if:` here.
    const conclusion = match.conclusions.get(step.index);
    if (conclusion === "skipped") {
      if (step.run !== undefined) notes.push(`\`${name}\` was skipped in CI, so it is skipped here.`);
      continue;
    }
    if (conclusion === undefined && step.if !== undefined) {
      const condition = evaluateCondition(step.if, context);
      if (condition.decided && !condition.value) {
        if (step.run !== undefined) notes.push(`\`${name}\` is skipped: its \`if:\` is false here.`);
        continue;
      }
      if (!condition.decided) reasons.push(`its \`if:\` cannot be decided locally (${condition.reasons.join("; ")}), so it runs`);
    }

    if (step.uses !== undefined) {
      if (step.index === match.failedStepIndex) {
        return { ok: false, error: `the failed step \`${name}\` is an action (\`uses: ${step.uses}\`), which is not run locally` };
      }
      const seen = describeAction(step.uses, step.with, context, options.toolchain);
      if (seen.note !== undefined) notes.push(seen.note);
      if (seen.differs) differs.push(seen.note ?? step.uses);
      if (seen.skipped) skippedActions.push(step.uses);
      continue;
    }

    const script = interpolate(step.run ?? "", context);
    reasons.push(...script.unresolved);
    const shellSetting = step.shell ?? job.defaults.shell ?? workflow.defaults.shell;
    const shell = resolveShell(shellSetting === undefined ? undefined : interpolate(shellSetting, context).text, options.toolchain);
    if (shell.inexact) reasons.push(shell.inexact);
    const directorySetting = step.workingDirectory ?? job.defaults.workingDirectory ?? workflow.defaults.workingDirectory;
    const directory = directorySetting === undefined ? undefined : interpolate(directorySetting, context);
    reasons.push(...(directory?.unresolved ?? []));
    const jailed = jailWorkingDirectory(directory?.text);
    if (!jailed.ok) return { ok: false, error: `step \`${name}\`: ${jailed.error}` };
    for (const key of Object.keys(env)) reasons.push(...((key in stepEnv.values ? stepEnv.reasons[key] : inheritedReasons[key]) ?? []));
    reasons.push(...stepEnv.blockReasons, ...workflowEnv.blockReasons, ...jobEnv.blockReasons);
    if (fileCommandsWriter !== undefined) {
      reasons.push(`an earlier step (\`${fileCommandsWriter}\`) writes $GITHUB_ENV or $GITHUB_PATH, which is not carried between steps here`);
    }
    const continueOnError = decideContinueOnError(step.continueOnError, context, reasons);
    const timeoutMinutes = Number(typeof step.timeoutMinutes === "string" ? interpolate(step.timeoutMinutes, context).text : step.timeoutMinutes);
    const unique = [...new Set(reasons)];
    steps.push({
      name,
      command: script.text,
      shell: shell.template,
      cwd: jailed.cwd,
      env,
      ...(unique.length > 0 ? { inexact: unique.join("; ") } : {}),
      network: installsDependencies(script.text),
      ...(continueOnError ? { continueOnError } : {}),
      ...(timeoutMinutes > 0 ? { timeoutMs: Math.round(timeoutMinutes * 60_000) } : {}),
    });
    if (/\bGITHUB_(ENV|PATH)\b/.test(step.run ?? "")) fileCommandsWriter ??= name;
  }

  if (steps.length === 0) return { ok: false, error: `job \`${job.id}\` has no \`run:\` step up to the failed one` };
  if (skippedActions.length > 0) notes.push(`Actions are not run here: ${skippedActions.map((a) => `\`${a}\``).join(", ")}.`);
  const target = steps.at(-1)?.name ?? "";
  const where = options.workflowPath ? ` of \`${options.workflowPath}\`` : "";
  const upTo = match.failedStepIndex === null ? `all of its \`run:\` steps (the failed step is unknown)` : `up to the failed step \`${target}\``;
  return {
    ok: true,
    plan: {
      source: "workflow",
      description: `job \`${match.displayName}\`${where}, ${upTo}`,
      steps,
      notes,
      exact: match.certain && match.failedStepIndex !== null && differs.length === 0 && steps.every((s) => s.inexact === undefined),
      runnerEnv: runnerEnvironment(options.github),
    },
  };
}

/**
 * What an action step (not run here) means for the plan: a toolchain
 * comparison for setup-node/setup-python, a checkout into another path, or
 * just an action that is skipped.
 */
function describeAction(
  uses: string,
  withInputs: Readonly<Record<string, string>>,
  context: ExpressionContext,
  toolchain: LocalToolchain,
): { note?: string; differs: boolean; skipped: boolean } {
  const inputs: Record<string, string> = {};
  const unresolved: string[] = [];
  for (const [key, value] of Object.entries(withInputs)) {
    const text = interpolate(value, context);
    inputs[key] = text.text;
    unresolved.push(...text.unresolved);
  }
  const check = checkToolchain(uses, inputs, toolchain);
  if (check && unresolved.length > 0) {
    return { note: `\`${uses}\`: the version CI set up is not known locally (${unresolved.join("; ")}).`, differs: false, skipped: false };
  }
  if (check) return { ...(check.note !== undefined ? { note: check.note } : {}), differs: check.mismatch, skipped: false };
  if (!/^actions\/checkout@/i.test(uses)) return { differs: false, skipped: true };
  if (!inputs["path"] && !inputs["repository"]) return { differs: false, skipped: false };
  const what = inputs["repository"] || "the repository";
  const note = `\`${uses}\` checked out ${what} into \`${inputs["path"] || "."}\`; here the workspace root is the repository.`;
  return { note, differs: true, skipped: false };
}

interface ResolvedEnv {
  values: Record<string, string>;
  /** Why a variable's value is not CI's, by name. */
  reasons: Record<string, string[]>;
  /** Why the whole block is not CI's. */
  blockReasons: string[];
}

function resolveEnv(block: EnvBlock, context: ExpressionContext, level: string): ResolvedEnv {
  const resolved: ResolvedEnv = { values: {}, reasons: {}, blockReasons: [] };
  if (block.expression !== undefined) resolved.blockReasons.push(`the ${level} \`env:\` is computed at run time (\`${block.expression.trim()}\`)`);
  for (const [key, value] of Object.entries(block.values)) {
    const text = interpolate(value, context);
    const refused = refusedVariable(key, text.text);
    if (refused !== null) {
      resolved.blockReasons.push(`env ${key} is not passed: ${refused}`);
      continue;
    }
    resolved.values[key] = text.text;
    if (text.unresolved.length > 0) resolved.reasons[key] = text.unresolved.map((r) => `env ${key}: ${r}`);
  }
  return resolved;
}

/** What makes the whole job run differently here: another OS, a job container, service containers. */
function checkJobEnvironment(job: Workflow["jobs"][number], context: ExpressionContext): string[] {
  const reasons: string[] = [];
  const labels = (Array.isArray(job.runsOn) ? job.runsOn : [job.runsOn])
    .filter((label): label is string => typeof label === "string")
    .map((label) => interpolate(label, context).text);
  const other = labels.find((label) => /windows|macos|mac-|osx/i.test(label));
  if (other !== undefined) reasons.push(`CI ran the job on \`${other}\`; the sandbox is Linux.`);
  if (job.container !== undefined && job.container !== null) {
    const image = typeof job.container === "string" ? job.container : String((job.container as { image?: unknown }).image ?? "a container");
    reasons.push(`CI ran the job inside the container \`${image}\`; the sandbox uses the worker's system tools.`);
  }
  if (job.services.length > 0) {
    reasons.push(`CI started service containers (${job.services.map((s) => `\`${s}\``).join(", ")}); they are not started here.`);
  }
  return reasons;
}

function decideContinueOnError(setting: boolean | string | undefined, context: ExpressionContext, reasons: string[]): boolean {
  if (setting === undefined || typeof setting === "boolean") return setting === true;
  const condition = evaluateCondition(setting, context);
  if (condition.decided) return condition.value;
  reasons.push(`its \`continue-on-error\` cannot be decided locally (${condition.reasons.join("; ")})`);
  return false;
}
