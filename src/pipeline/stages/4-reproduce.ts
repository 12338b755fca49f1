import type { RepoConfig } from "../../config/repo-config.ts";
import { PatchwrightError } from "../../errors.ts";
import type { FailedWorkflowJob } from "../../evidence/gather-evidence.ts";
import { fence, tail } from "../../github/markdown.ts";
import type { Report } from "../../github/report.ts";
import { planReproduction, type ReproductionPlan } from "../../reproduction/plan-reproduction.ts";
import { probeToolchain } from "../../reproduction/probe-toolchain.ts";
import { readPackageFacts } from "../../reproduction/read-package-facts.ts";
import { readWorkflowFile } from "../../reproduction/read-workflow-file.ts";
import { renderReproductionMarkdown } from "../../reproduction/render-reproduction-markdown.ts";
import { runReproduction, type ReproductionOutcome, type ReproductionRun } from "../../reproduction/run-reproduction.ts";
import { toOneLiner } from "../../reproduction/shell-command.ts";
import type { CommandResult, Workspace } from "../../workspace/types.ts";
import type { JobContext } from "../job-context.ts";
import type { Target } from "../origins/origin.ts";

export interface Reproduction {
  plan: ReproductionPlan;
  outcome: ReproductionOutcome;
  /** The failed step as one shell line, for the agent and the reports. */
  failingCommand: string;
  /** The repository's whole test command, run after the failing step when it differs. */
  fullTestCommand: string | null;
  /** What setup left untracked (a generated lockfile, an unignored `node_modules/`): never part of a fix. */
  setupArtifacts: string[];
  /** What the tests said before any change: the failure, or (green) the last step's result. */
  before: CommandResult;
}

/** How much of a command's output a report shows. */
export const REPORT_EXCERPT_CHARS = 4000;

/**
 * Stage 4: reproduce what CI ran. For a workflow failure, the failed job's
 * `run:` steps up to the failed one, from the workflow file in the checkout
 * (it is at the failing commit, and nothing has run in it yet); otherwise
 * `commands` from the config, then package.json. A green result is re-run
 * `reruns` times to tell flaky from not reproducible.
 */
export async function reproduce(
  ctx: JobContext,
  args: { workspace: Workspace; target: Target; failedJob: FailedWorkflowJob | undefined; config: RepoConfig; reruns: number },
): Promise<Reproduction> {
  const { workspace, target, failedJob, config } = args;
  const workflow = failedJob?.workflowPath ? await readWorkflowFile(workspace.dir, failedJob.workflowPath) : undefined;
  const packageFacts = await readPackageFacts(workspace.dir);
  const planned = planReproduction({
    workflow,
    failedJob: failedJob ? { name: failedJob.name, steps: [...failedJob.steps] } : undefined,
    commands: config.commands,
    packageFacts,
    toolchain: await probeToolchain(workspace.sandbox),
    github: { sha: target.sha, refName: target.baseBranch, ref: `refs/heads/${target.baseBranch}`, repository: ctx.repoFullName },
  });
  if (!planned.ok) throw new PatchwrightError("no_test_command", planned.message);
  const plan = planned.plan;
  const outcome = await runReproduction(workspace.sandbox, plan, { reruns: args.reruns, signal: ctx.signal });
  ctx.record("reproduce", { plan, verdict: outcome.verdict, summary: outcome.summary, run: outcome.run });
  ctx.checkpoint();
  const failing = plan.steps.at(-1);
  const manifest = packageFacts.manifest as { scripts?: Record<string, unknown> } | null;
  const fullTest = config.commands.test ?? (typeof manifest?.scripts?.["test"] === "string" ? "npm test" : null);
  return {
    plan,
    outcome,
    failingCommand: failing ? toOneLiner(failing) : "",
    fullTestCommand: fullTest !== null && fullTest !== failing?.command ? fullTest : null,
    setupArtifacts: await ctx.deps.untracked(workspace),
    before: outcome.verdict === "red" ? outcome.failure : lastStepResult(outcome.run),
  };
}

/** Setup did not get to the failing step: the job ends, saying what broke and what to set. */
export function setupFailedReport(outcome: Extract<ReproductionOutcome, { verdict: "setup_failed" }>, title: string, summary: string): Report {
  return {
    conclusion: "failure",
    title,
    summary: `${outcome.summary}\n\n${summary} If setup needs a different command here, set \`commands.setup\` in \`.github/patchwright.yml\`.`,
    details: `${renderReproductionMarkdown(outcome)}\n\n${fence(tail(outcome.failure.output, REPORT_EXCERPT_CHARS))}`,
  };
}

/**
 * Ends the job unless the failure reproduced: setup failed (a failure), or the
 * failure is flaky or does not reproduce (no code change for those).
 */
export function endUnlessRed(ctx: JobContext, outcome: ReproductionOutcome): void {
  if (outcome.verdict === "red") return;
  if (outcome.verdict === "setup_failed") {
    ctx.end({ result: { state: "failed", summary: "setup failed" }, report: setupFailedReport(outcome, "Setup failed", "Patchwright could not get to the failing step.") });
  }
  const flaky = outcome.verdict === "flaky";
  ctx.end({
    result: { state: "skipped", summary: flaky ? "flaky" : "could not reproduce" },
    report: {
      conclusion: "neutral",
      title: flaky ? "Flaky failure" : "Could not reproduce",
      summary: `${outcome.summary}\n\nPatchwright does not change code for a failure it cannot reproduce reliably.`,
      details: renderReproductionMarkdown(outcome),
    },
  });
}

/** The last step's result of a green run. */
function lastStepResult(run: ReproductionRun): CommandResult {
  const step = run.steps.at(-1);
  return { command: step?.command ?? "", exitCode: run.exitCode, output: step?.outputExcerpt ?? "", durationMs: run.durationMs, timedOut: false, truncated: false };
}
