/**
 * Part of stage 4: in a monorepo whose CI step ran a task across the tree,
 * when exactly one workspace package failed, that package's own task is what
 * the fixers and verification run: faster, and without the other packages'
 * output. Only taken when the package's task alone fails the same way
 * (the same failed tests, when the runner reports them).
 */
import { findFailedPackage, packageTaskCommand } from "../../reproduction/find-failed-package.ts";
import type { PlannedStep, ReproductionPlan } from "../../reproduction/plan-reproduction.ts";
import { readTestReport } from "../../reproduction/read-test-report.ts";
import { readPackageManager, readWorkspacePackages } from "../../reproduction/read-workspace-packages.ts";
import { runPlan, type ReproductionOutcome } from "../../reproduction/run-reproduction.ts";
import type { TestReport } from "../../reproduction/test-report.ts";
import type { CommandResult, Workspace } from "../../workspace/types.ts";
import type { JobContext } from "../job-context.ts";

export async function scopeToFailedPackage(
  ctx: JobContext,
  args: { workspace: Workspace; plan: ReproductionPlan; outcome: Extract<ReproductionOutcome, { verdict: "red" }> },
): Promise<{ plan: ReproductionPlan; before: CommandResult } | null> {
  const { plan, outcome, workspace } = args;
  const failing = plan.steps.at(-1);
  if (failing === undefined) return null;
  const packages = await readWorkspacePackages(workspace.dir);
  const found = findFailedPackage(failing.command, outcome.failure.output, packages);
  if (found === null) return null;
  const { deferred: _deferred, ...rest } = failing;
  const scoped: PlannedStep = {
    ...rest,
    name: `${failing.name} (${found.pkg.name} only)`,
    command: packageTaskCommand(await readPackageManager(workspace.dir), found.task),
    cwd: found.pkg.dir,
  };
  const state = outcome.run.stateBeforeFailingPart;
  const run = await runPlan(workspace.sandbox, plan, [scoped], { signal: ctx.signal, ...(state ? { initialState: state } : {}) });
  const same = run.failure !== undefined && sameFailures(readTestReport(outcome.failure.output), readTestReport(run.failure.output));
  ctx.record("scope", { package: found.pkg.name, task: found.task, command: scoped.command, exitCode: run.exitCode, taken: same });
  if (!same || run.failure === undefined) return null;
  return {
    before: run.failure,
    plan: {
      ...plan,
      steps: [...plan.steps.slice(0, -1), scoped],
      notes: [
        ...plan.notes,
        `Only the workspace package \`${found.pkg.name}\` failed \`${failing.name}\`: fixes are verified with its own \`${found.task}\` task (\`${scoped.command}\` in \`${found.pkg.dir}\`), which fails the same way.`,
      ],
    },
  };
}

/** The same failed tests, when both runs report them; with no report either way, a failing exit is all there is. */
function sameFailures(tree: TestReport | null, pkg: TestReport | null): boolean {
  if (tree === null || pkg === null) return tree === pkg;
  const failed = (report: TestReport) => [...report.tests].filter(([, status]) => status === "failed").map(([name]) => name).sort();
  const a = failed(tree);
  const b = failed(pkg);
  return a.length > 0 && a.length === b.length && a.every((name, i) => name === b[i]);
}
