import type { RepoConfig } from "../../config/repo-config.ts";
import type { BaseSignal, RepoReads } from "../../github/read-repository.ts";
import type { Report } from "../../github/report.ts";
import type { CiTrigger, FailureSource } from "../../queue/job.ts";
import type { Relevance } from "./origin.ts";

/**
 * Whether a CI failure is still worth fixing when the worker gets to it: the
 * repository wants pull-request fixes, the commit is still its branch's head,
 * and (for a pull request) the failure is not already there on the base branch.
 */
export async function checkCiRelevance(reads: RepoReads, t: CiTrigger, config: RepoConfig): Promise<Relevance> {
  if (t.pullRequest && !config.pull_requests) {
    return skip("pull requests are off", "neutral", "Not fixing pull requests", "`pull_requests: false` in `.github/patchwright.yml`: Patchwright only fixes the default branch.");
  }
  // These checks only save work: when GitHub cannot answer them, the job goes ahead.
  const head = await reads.branchHead(t.headBranch).catch(() => t.headSha);
  if (head !== t.headSha) {
    return skip("superseded", "skipped", "Superseded by a newer commit", `\`${t.headBranch}\` has moved on to ${head.slice(0, 7)}; Patchwright works on the latest commit.`);
  }
  if (t.pullRequest) {
    const base = t.pullRequest.baseBranch;
    for (const source of t.sources) {
      const signal = baseSignal(source);
      if (signal && (await reads.failsOn(base, signal).catch(() => false))) {
        const name = source.type === "workflow_run" ? source.workflowName : source.type === "check_run" ? source.name : source.context;
        return skip("pre-existing", "neutral", `Also failing on ${base}`, `**${name}** fails on \`${base}\` too, so this pull request did not break it. Patchwright fixes it on \`${base}\` instead of here.`);
      }
    }
  }
  return { relevant: true };
}

/** The same signal on another branch; an Actions run without a workflow id cannot be looked up. */
function baseSignal(source: FailureSource): BaseSignal | null {
  if (source.type === "workflow_run") return source.workflowId === undefined ? null : { type: "workflow_run", workflowId: source.workflowId };
  if (source.type === "check_run") return { type: "check_run", name: source.name };
  return { type: "status", context: source.context };
}

function skip(reason: string, conclusion: Report["conclusion"], title: string, summary: string): Relevance {
  return { relevant: false, reason, report: { conclusion, title, summary } };
}
