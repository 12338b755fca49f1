import type { RepoConfig } from "../../config/repo-config.ts";
import { PatchwrightError } from "../../errors.ts";
import type { FailedWorkflowJob } from "../../evidence/gather-evidence.ts";
import { fence, tail } from "../../github/markdown.ts";
import type { Report } from "../../github/report.ts";
import { planReproduction, type PlannedStep, type ReproductionPlan } from "../../reproduction/plan-reproduction.ts";
import { probeToolchain } from "../../reproduction/probe-toolchain.ts";
import { readPackageFacts } from "../../reproduction/read-package-facts.ts";
import { readWorkflowFile } from "../../reproduction/read-workflow-file.ts";
import { renderReproductionMarkdown } from "../../reproduction/render-reproduction-markdown.ts";
import { reproduceRetryingInstall } from "../../reproduction/retry-install.ts";
import type { ReproductionOutcome, ReproductionRun } from "../../reproduction/run-reproduction.ts";
import type { RunnerState } from "../../reproduction/runner-state.ts";
import { toOneLiner } from "../../reproduction/shell-command.ts";
import type { CommandResult, Workspace } from "../../workspace/types.ts";
import type { JobContext } from "../job-context.ts";
import type { Target } from "../origins/origin.ts";
import { checkBroaderSuite, type PreExisting } from "./check-broader-suite.ts";
import { prepareToolchains, renderToolchainTable, type JobToolchains } from "./prepare-toolchains.ts";
import { scopeToFailedPackage } from "./scope-to-package.ts";

export interface Reproduction {
  plan: ReproductionPlan;
  outcome: ReproductionOutcome;
  /** The workspace with the job's toolchains and environment: every later stage runs in it. */
  workspace: Workspace;
  /** The failed step as one shell line, for the agent and the reports. */
  failingCommand: string;
  /** The repository's broader test suite, run after the failing part: only when it passed here before the fix. */
  broaderSuite: PlannedStep | null;
  /** `broaderSuite`'s command, for reports. */
  fullTestCommand: string | null;
  /** Checks that already failed here before any change: reported, never blocking a fix. */
  preExisting: PreExisting[];
  /** What the setup steps left for the failing part ($GITHUB_ENV, $GITHUB_PATH, step outputs). */
  state: RunnerState | undefined;
  toolchains: JobToolchains;
  /** What setup left untracked (a generated lockfile, an unignored `node_modules/`): never part of a fix. */
  setupArtifacts: string[];
  /** What the tests said before any change: the failure, or (green) the last step's result. */
  before: CommandResult;
}

/** How much of a command's output a report shows. */
export const REPORT_EXCERPT_CHARS = 4000;

/**
 * Stage 4: reproduce what CI ran. For a workflow failure, the failed job's
 * steps up to the failed one, from the workflow file in the checkout (it is
 * at the failing commit, and nothing has run in it yet), with the toolchains
 * its setup actions and the repository's files ask for; `commands` from the
 * config override them when set; otherwise package.json. A green result is
 * re-run `reruns` times to tell flaky from not reproducible. Setup that
 * reaches beyond the registries is retried once with install scripts off.
 */
export async function reproduce(
  ctx: JobContext,
  args: { workspace: Workspace; target: Target; failedJob: FailedWorkflowJob | undefined; config: RepoConfig; reruns: number },
): Promise<Reproduction> {
  const { target, failedJob, config } = args;
  ctx.progress("Reproducing the failure");
  const workflow = failedJob?.workflowPath ? await readWorkflowFile(args.workspace.dir, failedJob.workflowPath) : undefined;
  const packageFacts = await readPackageFacts(args.workspace.dir);
  const host = await probeToolchain(args.workspace.sandbox);
  const planned = planReproduction({
    workflow,
    failedJob: failedJob ? { name: failedJob.name, steps: [...failedJob.steps] } : undefined,
    commands: config.commands,
    packageFacts,
    toolchain: host,
    github: { sha: target.sha, refName: target.baseBranch, ref: `refs/heads/${target.baseBranch}`, repository: ctx.repoFullName },
  });
  if (!planned.ok) throw new PatchwrightError("no_test_command", planned.message);

  const toolchains = await prepareToolchains(ctx, {
    workspace: args.workspace,
    plan: planned.plan,
    host,
    allowedHosts: ctx.deps.setupAllowedHosts ?? [],
    repositoryHosts: config.setup.allowed_hosts,
  });
  const workspace = await ctx.useLayer(toolchains.layer, args.workspace);
  let plan = withToolchainFidelity(planned.plan, toolchains);
  ctx.checkpoint();

  const reproduced = await reproduceRetryingInstall(workspace.sandbox, plan, { reruns: args.reruns, signal: ctx.signal });
  const { outcome } = reproduced;
  plan = reproduced.plan;
  if (reproduced.hosts.length > 0) ctx.record("setup_retry", { hosts: reproduced.hosts });
  ctx.record("reproduce", { plan, exact: plan.exact, verdict: outcome.verdict, summary: outcome.summary, run: outcome.run, toolchains: toolchains.rows });
  ctx.checkpoint();

  const state = outcome.run.stateBeforeFailingPart;
  let before: CommandResult = outcome.verdict === "red" ? outcome.failure : lastStepResult(outcome.run);
  if (outcome.verdict === "red") {
    const scoped = await scopeToFailedPackage(ctx, { workspace, plan, outcome });
    if (scoped !== null) {
      plan = scoped.plan;
      before = scoped.before;
    }
  }
  if (state !== undefined) toolchains.carry(state);
  const failing = plan.steps.at(-1);
  const suite = outcome.verdict === "red" && failing ? await checkBroaderSuite(ctx, { workspace, plan, failing, manifest: packageFacts.manifest, state }) : { suite: null, preExisting: [] };
  return {
    plan,
    outcome: { ...outcome, plan },
    workspace,
    failingCommand: failing ? toOneLiner(failing) : "",
    broaderSuite: suite.suite,
    fullTestCommand: suite.suite ? toOneLiner(suite.suite) : null,
    preExisting: suite.preExisting,
    state,
    toolchains,
    setupArtifacts: await ctx.deps.untracked(workspace),
    before,
  };
}

/**
 * The plan is exact only if every toolchain CI set up is provided here too:
 * what is missing, or set up by an action Patchwright does not provide, is an
 * approximation, named.
 */
function withToolchainFidelity(plan: ReproductionPlan, toolchains: JobToolchains): ReproductionPlan {
  const missing = toolchains.missing.map((m) => ({ step: `${m.request.tool} ${m.request.spec} (${m.request.source})`, how: `not provided: ${m.reason}` }));
  const unprovided = toolchains.unprovided.map((text) => ({ step: text.split(" (")[0] ?? text, how: text }));
  if (missing.length === 0 && unprovided.length === 0) return plan;
  // A setup action whose tool could not be provided is not "provided by the toolchain layer".
  const missingActions = toolchains.missing.flatMap((m) => (SETUP_ACTIONS[m.request.tool] ? [SETUP_ACTIONS[m.request.tool]!] : []));
  const stepsOfMissing = new Set(plan.actions.filter((a) => missingActions.some((pattern) => pattern.test(a.uses))).map((a) => a.step));
  const kept = plan.approximations.filter((a) => !stepsOfMissing.has(a.step));
  return { ...plan, exact: false, approximations: [...kept, ...missing, ...unprovided] };
}

/**
 * The reproduction for a PR body or report: the toolchains (CI's next to
 * these), the steps and their fidelity, and the checks that already failed
 * before the fix.
 */
export function renderReproductionDetails(reproduction: Pick<Reproduction, "outcome" | "toolchains" | "preExisting">, after?: ReproductionRun): string {
  const { toolchains, preExisting } = reproduction;
  return [
    renderReproductionMarkdown(reproduction.outcome, after),
    toolchains.rows.length > 0 ? `#### Toolchains\n\n${renderToolchainTable(toolchains.rows)}` : "",
    preExisting.length > 0
      ? [
          "#### Already failing before the fix",
          "",
          ...preExisting.map((p) => `- ${p.name}: \`${p.command}\` exited ${p.exitCode} here before any change, so it does not judge the fix.`),
        ].join("\n")
      : "",
  ]
    .filter(Boolean)
    .join("\n\n");
}

/** The setup action of each provisioned tool. */
const SETUP_ACTIONS: Readonly<Record<string, RegExp>> = {
  node: /^actions\/setup-node@/i,
  python: /^actions\/setup-python@/i,
  pnpm: /^pnpm\/action-setup@/i,
  bun: /^oven-sh\/setup-bun@/i,
};

/** Setup did not get to the failing step: the job ends, saying what broke, with what, and what to set. */
export function setupFailedReport(
  outcome: Extract<ReproductionOutcome, { verdict: "setup_failed" }>,
  title: string,
  summary: string,
  toolchains?: JobToolchains,
): Report {
  const step = outcome.run.steps.at(-1);
  const what = step ? `\`${step.name}\` ran \`${step.command.split("\n")[0] ?? ""}\` and exited ${step.exitCode}${step.timedOut ? " (timed out)" : ""}.` : "";
  const notFound = outcome.failure.exitCode === 127 ? commandNotFound(outcome.failure.output) : null;
  const missing = (toolchains?.missing ?? []).map((m) => `- ${m.request.tool} ${m.request.spec} (${m.request.source}): ${m.reason} ${m.advice}`);
  const advice = [
    notFound ? `The command \`${notFound}\` is not available here. ` : "",
    "If setup needs different commands here, set `commands.setup` (and `commands.test`) in `.github/patchwright.yml`: they replace the workflow's. ",
    "If setup downloads from a host beyond the package registries, allow it with `setup.allowed_hosts`.",
  ].join("");
  return {
    conclusion: "failure",
    title,
    summary: [outcome.summary, what, summary, ...(missing.length > 0 ? ["Toolchains that could not be provided:", ...missing] : []), advice].filter(Boolean).join("\n\n"),
    details: [
      toolchains && toolchains.rows.length > 0 ? `### Toolchains\n\n${renderToolchainTable(toolchains.rows)}` : "",
      renderReproductionMarkdown(outcome),
      fence(tail(outcome.failure.output, REPORT_EXCERPT_CHARS)),
    ]
      .filter(Boolean)
      .join("\n\n"),
  };
}

/** `bash: line 1: pnpm: command not found` → `pnpm`. */
function commandNotFound(output: string): string | null {
  return /(?:^|\n)(?:[^\n:]*:\s*)?(?:line \d+:\s*)?([\w.+-]+): (?:command )?not found/.exec(output)?.[1] ?? null;
}

/**
 * Ends the job unless the failure reproduced: setup failed (a failure), or the
 * failure is flaky or does not reproduce (no code change for those).
 */
export function endUnlessRed(ctx: JobContext, reproduction: Pick<Reproduction, "outcome" | "toolchains">): void {
  const { outcome, toolchains } = reproduction;
  if (outcome.verdict === "red") return;
  if (outcome.verdict === "setup_failed") {
    ctx.end({
      result: { state: "failed", summary: "setup failed" },
      report: setupFailedReport(outcome, "Setup failed", "Patchwright could not get to the failing step.", toolchains),
    });
  }
  const flaky = outcome.verdict === "flaky";
  const table = toolchains.rows.length > 0 ? `### Toolchains\n\n${renderToolchainTable(toolchains.rows)}\n\n` : "";
  ctx.end({
    result: { state: "skipped", summary: flaky ? "flaky" : "could not reproduce" },
    report: {
      conclusion: "neutral",
      title: flaky ? "Flaky failure" : "Could not reproduce",
      summary: `${outcome.summary}\n\nPatchwright does not change code for a failure it cannot reproduce reliably.`,
      details: `${table}${renderReproductionMarkdown(outcome)}`,
    },
  });
}

/** The last step's result of a green run. */
function lastStepResult(run: ReproductionRun): CommandResult {
  const step = run.steps.at(-1);
  return { command: step?.command ?? "", exitCode: run.exitCode, output: step?.outputExcerpt ?? "", durationMs: run.durationMs, timedOut: false, truncated: false };
}
