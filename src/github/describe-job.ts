import type { FailureSource, JobPayload } from "../queue/job.ts";

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

/** The first link to show as a check run's details URL. */
export function firstSourceUrl(payload: JobPayload): string | undefined {
  const t = payload.trigger;
  if (t.type !== "ci") return undefined;
  for (const s of t.sources) {
    const url = s.type === "workflow_run" ? s.runUrl : s.type === "check_run" ? s.url : s.targetUrl;
    if (url) return url;
  }
  return undefined;
}

/** One markdown sentence saying what failed, for PR bodies and reports. */
export function describeFailure(payload: JobPayload, sha: string): string {
  const t = payload.trigger;
  if (t.type === "ci") {
    const where = t.pullRequest ? `pull request #${t.pullRequest.number} (\`${t.headBranch}\`)` : `\`${t.headBranch}\``;
    return `${t.sources.map(sourceLink).join(", ")} failed on ${where} at ${t.headSha.slice(0, 7)}.`;
  }
  if (t.type !== "comment") return `A security advisory against a dependency (at ${sha.slice(0, 7)}).`;
  const where = t.isPullRequest ? "pull request" : "issue";
  return `@${t.author} asked for a fix on ${where} #${t.issueNumber} (at ${sha.slice(0, 7)}).`;
}
