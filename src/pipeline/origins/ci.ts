import { ENDED_ACTIONS, WORKING_ACTIONS } from "../../github/check-run-actions.ts";
import type { RepoGitHub } from "../../github/repo-github.ts";
import type { CiTrigger, FailureSource, JobRecord } from "../../queue/job.ts";
import { checkCiRelevance } from "./ci-relevance.ts";
import type { Origin } from "./origin.ts";
import { prTitle } from "./pr-title.ts";

/** A markdown link to one red signal: the run, the check, or the status target. */
export function sourceLink(source: FailureSource): string {
  switch (source.type) {
    case "workflow_run":
      return `[${source.workflowName}](${source.runUrl})`;
    case "check_run":
      return source.url ? `[${source.name}](${source.url}) (${source.app})` : `${source.name} (${source.app})`;
    case "status":
      return source.targetUrl ? `[${source.context}](${source.targetUrl})` : `\`${source.context}\``;
  }
}

function sourceName(source: FailureSource | undefined): string {
  if (source?.type === "workflow_run") return source.workflowName;
  return source?.type === "check_run" ? source.name : "CI";
}

function sourceUrl(source: FailureSource): string | null | undefined {
  return source.type === "workflow_run" ? source.runUrl : source.type === "check_run" ? source.url : source.targetUrl;
}

/**
 * A red build (Actions runs, other CI's check runs, commit statuses of one
 * commit): told on the Patchwright check run of the red commit, fixed onto the
 * branch that failed.
 */
export function ciOrigin(job: JobRecord, trigger: CiTrigger, github: RepoGitHub, currentAckId?: () => Promise<number | null>): Origin {
  let checkRunId = job.ackId;
  const describe = () => {
    const where = trigger.pullRequest ? `pull request #${trigger.pullRequest.number} (\`${trigger.headBranch}\`)` : `\`${trigger.headBranch}\``;
    return `${trigger.sources.map(sourceLink).join(", ")} failed on ${where} at ${trigger.headSha.slice(0, 7)}.`;
  };
  // "Retry fix" and "Explain" stay on the ended check run; "Stop" only while there is something to stop.
  const complete = (report: Parameters<Origin["report"]>[0]) => github.checks.complete({ checkRunId, sha: trigger.headSha, jobId: job.id, report, actions: ENDED_ACTIONS });
  const origin: Origin = {
    failureSources: trigger.sources,
    writesTestFirst: false,
    failingRunUrl: trigger.sources.map(sourceUrl).find(Boolean) ?? undefined,
    // A pull request's own branch (never a fork's: those are not queued), never the default branch.
    commitsOnto: (config) =>
      trigger.pullRequest && config.pull_request_fixes === "commit" && trigger.headBranch !== job.payload.repo.defaultBranch ? { branch: trigger.headBranch, sha: trigger.headSha } : null,
    describe,
    async acknowledge() {
      const detailsUrl = trigger.sources.map(sourceUrl).find(Boolean) ?? undefined;
      checkRunId = await github.checks.open({
        sha: trigger.headSha,
        jobId: job.id,
        status: "queued",
        title: "Queued",
        summary: `Patchwright is looking into this: ${describe()}`,
        detailsUrl,
        actions: WORKING_ACTIONS,
      });
      return checkRunId;
    },
    async start() {
      // An acknowledgement that ran after the lease (a burst) opened the check run already.
      if (checkRunId === null && currentAckId) checkRunId = await currentAckId().catch(() => null);
      // The acknowledgement was lost (e.g. the process stopped right after the webhook).
      const created = checkRunId === null ? await origin.acknowledge() : null;
      await github.checks.progress(checkRunId!, "Reproducing the failure", "Patchwright is reproducing the failure in a sandbox.");
      return created;
    },
    report: complete,
    showsSkips: () => checkRunId !== null,
    reportCancelledBeforeStart: (by) => complete({ conclusion: "cancelled", title: "Stopped", summary: `Stopped by @${by} with \`/agent stop\` before it started.` }),
    relevance: (config) => checkCiRelevance(github.reads, trigger, config),
    target: async () => ({ sha: trigger.headSha, baseBranch: trigger.headBranch }),
    request: () => undefined,
    branchName: (sha) => `patchwright/fix-${sha.slice(0, 7)}`,
    prTitle: (summary) => prTitle(`Fix ${sourceName(trigger.sources[0])} on ${trigger.headBranch}`, summary),
  };
  return origin;
}
