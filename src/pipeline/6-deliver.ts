import { stripControlCharacters } from "../agent/sanitize-untrusted.ts";
import { PatchwrightError } from "../errors.ts";
import type { Target } from "../github/resolve-target.ts";
import type { Octokit } from "../github/types.ts";
import type { JobRecord } from "../queue/job.ts";
import type { CommandResult } from "../workspace/types.ts";
import { renderReproductionMarkdown } from "../reproduction/render-reproduction-markdown.ts";
import type { Reproduction } from "./3-reproduce.ts";
import type { Verdict } from "./5-verify.ts";
import type { FixOutcome, PipelineDeps, Workspace } from "./pipeline-deps.ts";
import { renderPrBody } from "./render-pr-body.ts";

/** The branch a job pushes to: always under `patchwright/`, never one the app did not create. */
export function fixBranchName(job: JobRecord, sha: string): string {
  const t = job.payload.trigger;
  const short = sha.slice(0, 7);
  return t.type === "comment" && !t.isPullRequest ? `patchwright/issue-${t.issueNumber}-${short}` : `patchwright/fix-${short}`;
}

/**
 * Commits as the app, pushes the fix branch (token on the host side only) and
 * opens a pull request against the failing branch, or finds the one a previous
 * run of this job opened.
 */
export async function deliver(args: {
  deps: PipelineDeps;
  octokit: Octokit;
  job: JobRecord;
  workspace: Workspace;
  token: string;
  target: Target;
  reproduction: Reproduction;
  before: CommandResult;
  verdict: Verdict;
  fix: FixOutcome;
  /** The investigator's diagnosis and how the candidates fared. */
  diagnosis: string;
  candidates: string;
  spent: { tokens: number; costUsd: number };
  failure: string;
}): Promise<{ number: number; url: string; branch: string }> {
  const { deps, octokit, job, target } = args;
  const { owner, name, cloneUrl } = job.payload.repo;
  let branch = fixBranchName(job, target.sha);
  const title = prTitle(job, args.fix.summary);
  // A previous run of this job already delivered: keep its PR (people may have pushed to it).
  const existing = await octokit.rest.pulls.list({ owner, repo: name, head: `${owner}:${branch}`, state: "open" }).catch(() => ({ data: [] }));
  const found = existing.data[0];
  if (found) return { number: found.number, url: found.html_url, branch };

  const identity = await deps.botIdentity(octokit);
  // The summary is the model's text: redacted, and without control characters git would refuse.
  const message = stripControlCharacters(`${title}\n\n${deps.redact(args.fix.summary)}`);
  await deps.commitAll(args.workspace.dir, message, identity, args.reproduction.setupArtifacts);
  try {
    await deps.pushBranch({ dir: args.workspace.dir, cloneUrl, branch, token: args.token });
  } catch (error) {
    // The branch exists with other commits (an earlier job whose PR was closed): never
    // overwrite it; this job gets a branch of its own.
    if (!(error instanceof PatchwrightError) || error.code !== "push_rejected") throw error;
    branch = `${branch}-${job.id}`;
    await deps.pushBranch({ dir: args.workspace.dir, cloneUrl, branch, token: args.token });
  }

  const body = deps.redact(
    renderPrBody({
      failure: args.failure,
      summary: args.fix.summary,
      diagnosis: args.diagnosis,
      candidates: args.candidates,
      command: args.reproduction.failingCommand,
      reproduction: renderReproductionMarkdown(args.reproduction.outcome, args.verdict.run),
      before: args.before,
      after: args.verdict.after,
      diff: args.verdict.diff,
      trace: args.fix.trace,
      usage: { turns: args.fix.turns, ...args.fix.usage },
      spent: args.spent,
    }),
  );
  const { data: pr } = await octokit.rest.pulls.create({
    owner,
    repo: name,
    head: branch,
    base: target.baseBranch,
    title,
    body,
  });
  return { number: pr.number, url: pr.html_url, branch };
}

function prTitle(job: JobRecord, summary: string): string {
  const t = job.payload.trigger;
  const first = summary.split("\n")[0]?.trim().slice(0, 72) ?? "";
  if (t.type === "ci") {
    const name = t.sources[0]?.type === "workflow_run" ? t.sources[0].workflowName : t.sources[0]?.type === "check_run" ? t.sources[0].name : "CI";
    return `Fix ${name} on ${t.headBranch}${first ? `: ${first}` : ""}`;
  }
  if (t.type === "comment") return `Fix #${t.issueNumber}${first ? `: ${first}` : ""}`;
  return `[security] ${first}`;
}
