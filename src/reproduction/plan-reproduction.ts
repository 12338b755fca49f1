/**
 * What to run to reproduce a failure:
 *   1. `commands.test` of `.github/patchwright.yml` (after `commands.setup`), in
 *      the failed job's env with its toolchains when the workflow can be followed;
 *   2. the failed workflow job's `run:` steps up to the failed one (the file at
 *      the failing sha), its setup steps replaced by `commands.setup` when set;
 *   3. the `test` script of package.json.
 * Pure: the caller fetches the workflow file, the failed job and the package facts.
 */
import { configuredInJob, withConfiguredSetup } from "./apply-config-commands.ts";
import { type ReportedJob, matchFailedJob } from "./match-failed-job.ts";
import { type ConfigCommands, type PackageFacts, planFromConfig, planFromPackageJson } from "./plan-fallback.ts";
import { planFromWorkflow } from "./plan-from-workflow.ts";
import { parseWorkflow } from "./parse-workflow.ts";
import { RUNNER_CONTEXT, githubContext } from "./runner-facts.ts";
import type { GithubFacts, LocalToolchain, ReproductionPlan } from "./types.ts";

export type { GithubFacts, LocalToolchain, PlannedStep, ReproductionPlan } from "./types.ts";

export interface PlanInput {
  /** The workflow file at the failing sha (`workflow_run.path`), when the failure is a workflow run. */
  readonly workflow?: { readonly path: string; readonly text: string } | undefined;
  /** The failed job, as the jobs API reports it. */
  readonly failedJob?: ReportedJob | undefined;
  /** `commands` from the repository config. */
  readonly commands?: ConfigCommands | undefined;
  /** package.json facts of the checkout (`readPackageFacts`). */
  readonly packageFacts?: PackageFacts | null | undefined;
  /** Toolchain versions in the sandbox. */
  readonly toolchain: LocalToolchain;
  readonly github: GithubFacts;
}

export type PlanOutcome =
  | { readonly ok: true; readonly plan: ReproductionPlan }
  /** Nothing to run: the message says what to configure; `notes` say why the workflow was not followed. */
  | { readonly ok: false; readonly message: string; readonly notes: readonly string[] };

export function planReproduction(input: PlanInput): PlanOutcome {
  const notes: string[] = [];
  let followed: ReproductionPlan | undefined;
  if (input.workflow && input.failedJob) {
    const result = followWorkflow(input.workflow, input.failedJob, input);
    if (result.ok) followed = result.plan;
    else notes.push(`The failed CI job could not be followed: ${result.error}.`);
  }
  const commands = input.commands ?? {};
  const configured = planFromConfig(commands, input.packageFacts ?? null);
  if (configured && followed) return { ok: true, plan: configuredInJob(configured, followed) };
  if (followed) return { ok: true, plan: commands.setup ? withConfiguredSetup(followed, commands.setup) : followed };
  const fallback = configured ?? planFromPackageJson(input.packageFacts ?? null, commands);
  if (fallback) return { ok: true, plan: { ...fallback, notes: [...notes, ...fallback.notes] } };
  return {
    ok: false,
    message: "No test command: set `commands.test` in .github/patchwright.yml, or add a `test` script to package.json.",
    notes,
  };
}

/** Steps 1 only: parse, match, plan; every failure is a value with its reason. */
export function followWorkflow(
  workflow: { readonly path: string; readonly text: string },
  failedJob: ReportedJob,
  options: { readonly toolchain: LocalToolchain; readonly github: GithubFacts },
): { ok: true; plan: ReproductionPlan } | { ok: false; error: string } {
  const parsed = parseWorkflow(workflow.text);
  if (!parsed.ok) return { ok: false, error: `\`${workflow.path}\`: ${parsed.error}` };
  const matched = matchFailedJob(parsed.workflow, failedJob, { github: githubContext(options.github), runner: RUNNER_CONTEXT });
  if (!matched.ok) return { ok: false, error: `\`${workflow.path}\`: ${matched.error}` };
  const planned = planFromWorkflow(parsed.workflow, matched.match, { ...options, workflowPath: workflow.path });
  return planned.ok ? planned : { ok: false, error: `\`${workflow.path}\`: ${planned.error}` };
}
