/**
 * The job-level facts every step of the failed job shares: `env:` of the
 * workflow and the job resolved, the default shell and working directory,
 * and what makes the whole job run differently here (another OS, a job
 * container, service containers).
 */
import { type ExpressionContext, interpolate } from "./evaluate-expression.ts";
import type { EnvBlock, Workflow, WorkflowJob } from "./parse-workflow.ts";
import { resolveShell } from "./resolve-shell.ts";
import { jailWorkingDirectory, refusedVariable } from "./step-facts.ts";
import type { Approximation, LocalToolchain } from "./types.ts";

export interface ResolvedEnv {
  values: Record<string, string>;
  /** Why a variable's value is not CI's, by name. */
  reasons: Record<string, string[]>;
  /** Why the whole block is not CI's. */
  blockReasons: string[];
}

/** An `env:` block evaluated in `context`; refused variables are dropped with a reason. */
export function resolveEnv(block: EnvBlock, context: ExpressionContext, level: string): ResolvedEnv {
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

/** A job difference: the note for people, and the approximation it is. */
export interface JobDifference {
  readonly note: string;
  readonly approximation: Approximation;
}

/** What makes the whole job run differently here: another OS, a job container, service containers. */
export function checkJobEnvironment(job: WorkflowJob, context: ExpressionContext): JobDifference[] {
  const found: JobDifference[] = [];
  const labels = (Array.isArray(job.runsOn) ? job.runsOn : [job.runsOn])
    .filter((label): label is string => typeof label === "string")
    .map((label) => interpolate(label, context).text);
  const other = labels.find((label) => /windows|macos|mac-|osx/i.test(label));
  if (other !== undefined) {
    found.push({ note: `CI ran the job on \`${other}\`; the sandbox is Linux.`, approximation: { step: "runs-on", how: `runs on Linux, not \`${other}\`` } });
  }
  if (job.container !== undefined && job.container !== null) {
    const image = typeof job.container === "string" ? job.container : String((job.container as { image?: unknown }).image ?? "a container");
    found.push({
      note: `CI ran the job inside the container \`${image}\`; the sandbox uses the worker's system tools.`,
      approximation: { step: "container", how: `the container \`${image}\` is not used: the worker's system tools are` },
    });
  }
  if (job.services.length > 0) {
    const names = job.services.map((s) => `\`${s}\``).join(", ");
    found.push({
      note: `CI started service containers (${names}); they are not started here.`,
      approximation: { step: "services", how: `services are not started (${names})` },
    });
  }
  return found;
}

/** The job's default shell template and working directory (`defaults.run` of the job, else of the workflow). */
export function jobDefaults(workflow: Workflow, job: WorkflowJob, context: ExpressionContext, toolchain: LocalToolchain): { shell: string; cwd: string } {
  const shellSetting = job.defaults.shell ?? workflow.defaults.shell;
  const shell = resolveShell(shellSetting === undefined ? undefined : interpolate(shellSetting, context).text, toolchain).template;
  const directory = job.defaults.workingDirectory ?? workflow.defaults.workingDirectory;
  const jailed = jailWorkingDirectory(directory === undefined ? undefined : interpolate(directory, context).text);
  return { shell, cwd: jailed.ok ? jailed.cwd : "." };
}
