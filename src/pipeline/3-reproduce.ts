import type { RepoConfig } from "../config/repo-config.ts";
import { PatchwrightError } from "../errors.ts";
import type { Report } from "../github/report.ts";
import type { Octokit } from "../github/types.ts";
import type { CommandResult } from "../workspace/types.ts";
import { outputExcerpt } from "./describe.ts";
import type { JobPayload } from "../queue/job.ts";
import { planReproduction, type ReproductionPlan } from "../reproduction/plan-reproduction.ts";
import { probeToolchain } from "../reproduction/probe-toolchain.ts";
import { readPackageFacts } from "../reproduction/read-package-facts.ts";
import { renderReproductionMarkdown } from "../reproduction/render-reproduction-markdown.ts";
import { runReproduction, type ReproductionOutcome, type ReproductionRun } from "../reproduction/run-reproduction.ts";
import { toOneLiner } from "../reproduction/shell-command.ts";
import type { Evidence } from "./1-gather-evidence.ts";
import type { Workspace } from "./pipeline-deps.ts";

export interface Reproduction {
  plan: ReproductionPlan;
  outcome: ReproductionOutcome;
  /** The failed step as one shell line, for the agent and the reports. */
  failingCommand: string;
  /** The repository's whole test command, run after the failing step when it differs. */
  fullTestCommand: string | null;
  /** What setup left untracked (a generated lockfile, an unignored `node_modules/`): never part of a fix. */
  setupArtifacts: string[];
}

/**
 * Stage 3: reproduce what CI ran. For a workflow failure, the failed job's
 * `run:` steps up to the failed one, from the workflow file at the failing
 * commit; otherwise `commands` from the config, then package.json. A green
 * result is re-run to tell flaky from not reproducible.
 */
export async function reproduceFailure(args: {
  octokit: Octokit;
  payload: JobPayload;
  sha: string;
  branch: string;
  evidence: Evidence;
  workspace: Workspace;
  config: RepoConfig;
  signal: AbortSignal;
  untracked(dir: string): Promise<string[]>;
}): Promise<Reproduction> {
  const { payload, workspace, config } = args;
  const failedJob = args.evidence.failedJobs[0];
  const workflow = failedJob?.workflowPath ? await readWorkflow(args.octokit, payload, failedJob.workflowPath, args.sha) : undefined;
  const packageFacts = await readPackageFacts(workspace.dir);
  const planned = planReproduction({
    workflow,
    failedJob,
    commands: config.commands,
    packageFacts,
    toolchain: await probeToolchain(workspace.sandbox),
    github: { sha: args.sha, refName: args.branch, ref: `refs/heads/${args.branch}`, repository: `${payload.repo.owner}/${payload.repo.name}` },
  });
  if (!planned.ok) throw new PatchwrightError("no_test_command", planned.message);
  const plan = planned.plan;
  const outcome = await runReproduction(workspace.sandbox, plan, { reruns: config.flaky_reruns, signal: args.signal });
  const failing = plan.steps.at(-1);
  const failingCommand = failing ? toOneLiner(failing) : "";
  const manifest = packageFacts.manifest as { scripts?: Record<string, unknown> } | null;
  const fullTest = config.commands.test ?? (typeof manifest?.scripts?.["test"] === "string" ? "npm test" : null);
  return {
    plan,
    outcome,
    failingCommand,
    fullTestCommand: fullTest !== null && fullTest !== failing?.command ? fullTest : null,
    setupArtifacts: await args.untracked(workspace.dir),
  };
}

/** The workflow file as it was at the failing commit (the branch may have changed it since). */
async function readWorkflow(octokit: Octokit, payload: JobPayload, path: string, sha: string): Promise<{ path: string; text: string } | undefined> {
  try {
    const { data } = await octokit.rest.repos.getContent({ owner: payload.repo.owner, repo: payload.repo.name, path, ref: sha });
    if (Array.isArray(data) || data.type !== "file" || !("content" in data)) return undefined;
    return { path, text: Buffer.from(data.content, "base64").toString("utf8") };
  } catch {
    // Missing or unreadable: the reproduction falls back to the config or package.json, and says so.
    return undefined;
  }
}

/**
 * What to report when the reproduction is not red: setup failed (a failure),
 * or the failure is flaky or does not reproduce (no code change for those).
 */
export function stopUnlessRed(outcome: ReproductionOutcome): { state: "failed" | "skipped"; summary: string; report: Report } | null {
  if (outcome.verdict === "red") return null;
  if (outcome.verdict === "setup_failed") {
    return {
      state: "failed",
      summary: "setup failed",
      report: {
        conclusion: "failure",
        title: "Setup failed",
        summary: `${outcome.summary}\n\nPatchwright could not get to the failing step. If setup needs a different command here, set \`commands.setup\` in \`.github/patchwright.yml\`.`,
        details: `${renderReproductionMarkdown(outcome)}\n\n${outputExcerpt(outcome.failure.output)}`,
      },
    };
  }
  const flaky = outcome.verdict === "flaky";
  return {
    state: "skipped",
    summary: flaky ? "flaky" : "could not reproduce",
    report: {
      conclusion: "neutral",
      title: flaky ? "Flaky failure" : "Could not reproduce",
      summary: `${outcome.summary}\n\nPatchwright does not change code for a failure it cannot reproduce reliably.`,
      details: renderReproductionMarkdown(outcome),
    },
  };
}

/** The last step's result of a green run (issue mode: the tests passed before the fix). */
export function lastStepResult(run: ReproductionRun): CommandResult {
  const step = run.steps.at(-1);
  return { command: step?.command ?? "", exitCode: run.exitCode, output: step?.outputExcerpt ?? "", durationMs: run.durationMs, timedOut: false, truncated: false };
}
