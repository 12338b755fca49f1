/**
 * `commands` of `.github/patchwright.yml` over a plan followed from the
 * workflow: the repository's maintainers know better than the workflow file
 * how to set up and test here.
 * - `commands.test` replaces the job's steps (with `commands.setup` before it);
 *   the job's env, runner variables and toolchain actions stay, so toolchains
 *   are still provided as in CI.
 * - `commands.setup` alone replaces the job's setup steps (those with
 *   network before the failing part); the other steps stay.
 */
import { failingPartStart } from "./run-plan.ts";
import { CONFIG_SETUP_STEP, NOT_FROM_CI } from "./plan-fallback.ts";
import { PLAIN_BASH } from "./resolve-shell.ts";
import type { PlannedStep, ReproductionPlan } from "./types.ts";

const CONFIG = "`.github/patchwright.yml`";

/** `configured` (from `planFromConfig`) with the job of `followed`. */
export function configuredInJob(configured: ReproductionPlan, followed: ReproductionPlan): ReproductionPlan {
  const toolchains = followed.actions.filter((a) => a.kind === "toolchain");
  const names = new Set(toolchains.map((a) => a.step));
  return {
    ...configured,
    description: `${configured.description}, in the environment of ${followed.description.replace(/, up to .*$|, all of .*$/, "")}`,
    steps: configured.steps.map((step) => ({ ...step, env: withoutRunnerEnv(followed) })),
    notes: [`\`commands.test\` of ${CONFIG} replaces the failed job's steps; the job's env and toolchains are kept.`, NOT_FROM_CI],
    runnerEnv: followed.runnerEnv,
    actions: toolchains,
    approximations: [...followed.approximations.filter((a) => names.has(a.step)), ...configured.approximations],
    jobEnv: followed.jobEnv,
    jobShell: followed.jobShell,
    jobCwd: followed.jobCwd,
  };
}

/** `followed` with its setup steps replaced by `commands.setup` (at the first one's place, else first). */
export function withConfiguredSetup(followed: ReproductionPlan, setup: string): ReproductionPlan {
  const start = failingPartStart(followed);
  const replaced = followed.steps.flatMap((step, i) => (i < start && step.network ? [i] : []));
  const at = replaced[0] ?? 0;
  const kept = followed.steps.filter((_, i) => !replaced.includes(i));
  const step: PlannedStep = { name: CONFIG_SETUP_STEP, command: setup, shell: PLAIN_BASH, cwd: ".", env: withoutRunnerEnv(followed), network: true };
  const names = replaced.map((i) => `\`${followed.steps[i]?.name ?? ""}\``).join(", ");
  const how = replaced.length > 0 ? `\`commands.setup\` of ${CONFIG} runs instead of ${names}` : `\`commands.setup\` of ${CONFIG} runs before the job's steps`;
  return {
    ...followed,
    steps: [...kept.slice(0, at), step, ...kept.slice(at)],
    notes: [...followed.notes, `${how}.`],
    exact: false,
    approximations: [...followed.approximations, { step: CONFIG_SETUP_STEP, how }],
  };
}

/** The job's env without the runner's variables (the runner adds those to every step). */
function withoutRunnerEnv(plan: ReproductionPlan): Record<string, string> {
  return Object.fromEntries(Object.entries(plan.jobEnv).filter(([key, value]) => plan.runnerEnv[key] !== value));
}
