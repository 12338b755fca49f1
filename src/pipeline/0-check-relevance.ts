import type { RepoConfig } from "../config/repo-config.ts";
import type { Report } from "../github/report.ts";
import type { Octokit } from "../github/types.ts";
import type { FailureSource, JobPayload } from "../queue/job.ts";

export type Relevance = { relevant: true } | { relevant: false; report: Report; reason: string };

/**
 * Whether a CI failure is still worth fixing when the worker gets to it: the
 * repository wants pull-request fixes, the commit is still its branch's head,
 * and (for a pull request) the failure is not already there on the base branch.
 * Explicit `/agent fix` requests are always relevant.
 */
export async function checkRelevance(octokit: Octokit, payload: JobPayload, config: RepoConfig): Promise<Relevance> {
  const t = payload.trigger;
  if (t.type !== "ci") return { relevant: true };
  const repo = { owner: payload.repo.owner, repo: payload.repo.name };
  if (t.pullRequest && !config.pull_requests) {
    return skip("pull requests are off", "neutral", "Not fixing pull requests", "`pull_requests: false` in `.github/patchwright.yml`: Patchwright only fixes the default branch.");
  }
  // These checks only save work: when GitHub cannot answer them, the job goes ahead.
  const head = await octokit.rest.repos.getBranch({ ...repo, branch: t.headBranch }).then(
    ({ data }) => data.commit.sha,
    () => t.headSha,
  );
  if (head !== t.headSha) {
    return skip("superseded", "skipped", "Superseded by a newer commit", `\`${t.headBranch}\` has moved on to ${head.slice(0, 7)}; Patchwright works on the latest commit.`);
  }
  if (t.pullRequest) {
    const base = t.pullRequest.baseBranch;
    for (const source of t.sources) {
      if (await failsOnBase(octokit, repo, source, base).catch(() => false)) {
        const name = source.type === "workflow_run" ? source.workflowName : source.type === "check_run" ? source.name : source.context;
        return skip("pre-existing", "neutral", `Also failing on ${base}`, `**${name}** fails on \`${base}\` too, so this pull request did not break it. Patchwright fixes it on \`${base}\` instead of here.`);
      }
    }
  }
  return { relevant: true };
}

function skip(reason: string, conclusion: Report["conclusion"], title: string, summary: string): Relevance {
  return { relevant: false, reason, report: { conclusion, title, summary } };
}

async function failsOnBase(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  source: FailureSource,
  base: string,
): Promise<boolean> {
  if (source.type === "workflow_run" && source.workflowId !== undefined) {
    const { data } = await octokit.rest.actions.listWorkflowRuns({ ...repo, workflow_id: source.workflowId, branch: base, status: "completed", per_page: 1 });
    return data.workflow_runs[0]?.conclusion === "failure";
  }
  if (source.type === "check_run") {
    const { data } = await octokit.rest.checks.listForRef({ ...repo, ref: base, check_name: source.name, filter: "latest", per_page: 1 });
    return data.check_runs[0]?.conclusion === "failure";
  }
  if (source.type === "status") {
    const { data } = await octokit.rest.repos.getCombinedStatusForRef({ ...repo, ref: base });
    return data.statuses.some((s) => s.context === source.context && (s.state === "failure" || s.state === "error"));
  }
  return false;
}
