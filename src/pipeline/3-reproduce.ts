import type { RepoConfig } from "../config/repo-config.ts";
import { PatchwrightError } from "../errors.ts";
import type { Octokit } from "../github/types.ts";
import type { JobPayload } from "../queue/job.ts";
import { planReproduction, type ReproductionPlan } from "../reproduction/plan-reproduction.ts";
import { probeToolchain } from "../reproduction/probe-toolchain.ts";
import { readPackageFacts } from "../reproduction/read-package-facts.ts";
import { runReproduction, type ReproductionOutcome } from "../reproduction/run-reproduction.ts";
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
