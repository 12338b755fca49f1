import { compareTestReports, type TestProof } from "../../reproduction/compare-test-reports.ts";
import { readTestReport } from "../../reproduction/read-test-report.ts";
import { failingPart, runPlan, type ReproductionRun } from "../../reproduction/run-reproduction.ts";
import { checkDiffPolicy, type DiffPolicy } from "../../security/check-diff-policy.ts";
import { checkTestTampering } from "../../security/check-test-tampering.ts";
import type { CommandResult, Workspace, WorkspaceDiff } from "../../workspace/types.ts";
import type { PipelineDeps } from "../pipeline-deps.ts";
import type { Reproduction } from "./4-reproduce.ts";

export interface Verdict {
  passed: boolean;
  /** The failing step re-run (and the full test command, when it differs) after the fix. */
  run: ReproductionRun;
  /** The last command's result: what the PR shows as "after". */
  after: CommandResult;
  diff: WorkspaceDiff;
  problems: string[];
  /** How long verification took. */
  durationMs: number;
  /**
   * What the test runner's own report of the failing command proves (tests
   * fixed by name, counts before and after); absent when it printed none
   * Patchwright can read: then the exit code is the only proof.
   */
  tests?: TestProof;
}

/**
 * Stage 8: re-runs the reproduction's failing part in the sandbox (the failed
 * job's own steps, with its env and shell), then the repository's broader
 * suite when it passed before the fix, whatever the agent claimed, and checks the diff against
 * the job's policy and the test-tampering guard. The runner's report of the
 * failing command, before and after, must show the failed tests passing, no
 * fewer tests run and none newly skipped. Only a green run with an allowed,
 * non-empty diff passes.
 */
export async function verify(args: {
  deps: Pick<PipelineDeps, "diff">;
  workspace: Workspace;
  reproduction: Reproduction;
  baseSha: string;
  policy: DiffPolicy;
  /** Did the request ask for test changes (issue mode)? Deleting, skipping or weakening tests is refused either way. */
  allowTestChanges: boolean;
  signal?: AbortSignal;
}): Promise<Verdict> {
  const { reproduction, workspace } = args;
  const started = performance.now();
  const problems: string[] = [];
  // The failing part starts from what the setup steps left ($GITHUB_ENV, $GITHUB_PATH, step outputs).
  const options = { ...(args.signal ? { signal: args.signal } : {}), ...(reproduction.state ? { initialState: reproduction.state } : {}) };
  const run = await runPlan(workspace.sandbox, reproduction.plan, failingPart(reproduction.plan), options);
  let after: CommandResult = run.failure ?? lastStep(run, reproduction.failingCommand);
  const failingAfter = run.last ?? after;
  const tests = compareTestReports(readTestReport(reproduction.before.output), readTestReport(failingAfter.output), !failingAfter.truncated);
  if (run.red) problems.push(`\`${reproduction.failingCommand}\` still fails (exit ${run.exitCode})`);
  else if (reproduction.broaderSuite) {
    // Only a suite that passed here before the fix judges it (see check-broader-suite.ts).
    const suite = await runPlan(workspace.sandbox, reproduction.plan, [reproduction.broaderSuite], options);
    after = suite.failure ?? lastStep(suite, reproduction.broaderSuite.command);
    if (suite.red) problems.push(`the repository's test suite \`${reproduction.broaderSuite.command}\` passed before the fix and fails after it (exit ${suite.exitCode})`);
  }
  const diff = await args.deps.diff(workspace, args.baseSha, reproduction.setupArtifacts);
  problems.push(...checkDiffPolicy(diff, args.policy));
  problems.push(...checkTestTampering(diff, { allowTestChanges: args.allowTestChanges }));
  if (!run.red && tests) problems.push(...tests.problems);
  return { passed: problems.length === 0, run, after, diff, problems, durationMs: Math.round(performance.now() - started), ...(tests ? { tests } : {}) };
}

function lastStep(run: ReproductionRun, command: string): CommandResult {
  const step = run.steps.at(-1);
  return {
    command: step?.command ?? command,
    exitCode: step?.exitCode ?? run.exitCode,
    output: step?.outputExcerpt ?? "",
    durationMs: step?.durationMs ?? run.durationMs,
    timedOut: step?.timedOut ?? false,
    truncated: false,
  };
}
