/**
 * Part of stage 4: the repository's broader test suite (its `test` script),
 * when the failed step did not already run it. It judges a fix only if it
 * passed here before the fix: a suite that was already red, here, for
 * whatever reason (a time zone, a service CI had), never blocks a fix and
 * is reported as pre-existing instead.
 */
import type { PackageManager } from "../../reproduction/find-failed-package.ts";
import type { PlannedStep, ReproductionPlan } from "../../reproduction/plan-reproduction.ts";
import { readPackageManager } from "../../reproduction/read-workspace-packages.ts";
import { runPlan } from "../../reproduction/run-reproduction.ts";
import type { RunnerState } from "../../reproduction/runner-state.ts";
import type { Workspace } from "../../workspace/types.ts";
import type { JobContext } from "../job-context.ts";

/** A check that failed before any change. */
export interface PreExisting {
  readonly name: string;
  readonly command: string;
  readonly exitCode: number;
  /** The tail of its output. */
  readonly excerpt: string;
}

/** `npm test` and its equivalents, however the failed step spelt them. */
const RUNS_TEST_SCRIPT = /\b(?:npm|pnpm|yarn|bun)\s+(?:run(?:-script)?\s+)?(?:test|t)\b|\bnpm\s+it\b|\bnpm\s+cit\b/;
/** npm's placeholder `test` script. */
const NO_TESTS = /no test specified/;

export async function checkBroaderSuite(
  ctx: JobContext,
  args: { workspace: Workspace; plan: ReproductionPlan; failing: PlannedStep; manifest: unknown; state: RunnerState | undefined },
): Promise<{ suite: PlannedStep | null; preExisting: PreExisting[] }> {
  const manifest = args.manifest as { scripts?: Record<string, unknown> } | null;
  const script = manifest?.scripts?.["test"];
  if (typeof script !== "string" || NO_TESTS.test(script)) return { suite: null, preExisting: [] };
  if (RUNS_TEST_SCRIPT.test(args.failing.command) || args.failing.command.trim() === script.trim()) return { suite: null, preExisting: [] };
  const manager = await readPackageManager(args.workspace.dir);
  const step: PlannedStep = {
    name: "The repository's test suite",
    command: testCommand(manager),
    shell: args.plan.jobShell,
    cwd: ".",
    env: {},
    network: false,
  };
  const run = await runPlan(args.workspace.sandbox, args.plan, [step], { signal: ctx.signal, ...(args.state ? { initialState: args.state } : {}) });
  const record = run.steps[0];
  ctx.record("broader_suite", { command: step.command, exitCode: run.exitCode, durationMs: run.durationMs });
  if (!run.red) return { suite: step, preExisting: [] };
  return { suite: null, preExisting: [{ name: step.name, command: step.command, exitCode: run.exitCode, excerpt: record?.outputExcerpt ?? "" }] };
}

function testCommand(manager: PackageManager): string {
  return manager === "bun" ? "bun run test" : `${manager} test`;
}
