import type { JobPayload } from "../queue/job.ts";

/** One plain line saying what started a job, for the jobs table and the job page. */
export function describeTrigger(payload: JobPayload): string {
  const { trigger } = payload;
  switch (trigger.type) {
    case "ci":
      return `CI failed on ${trigger.headBranch} at ${trigger.headSha.slice(0, 7)}${trigger.pullRequest ? ` (PR #${trigger.pullRequest.number})` : ""}`;
    case "comment":
      return `@${trigger.author} commented on #${trigger.issueNumber}`;
    case "review":
      return `@${trigger.author} reviewed #${trigger.pullNumber} (${trigger.headRef})`;
    case "advisory":
      return `${trigger.ghsaId} (${trigger.severity}) in ${trigger.package}`;
    case "local":
      return `patchwright fix on ${trigger.branch} at ${trigger.sha.slice(0, 7)}`;
  }
}

/** Who asked for the job, as far as its payload says. */
export function actorOf(payload: JobPayload): string {
  const { trigger } = payload;
  switch (trigger.type) {
    case "comment":
    case "review":
      return `@${trigger.author}`;
    case "ci":
      return "CI (a failing check)";
    case "advisory":
      return "Dependabot alert";
    case "local":
      return "local command line";
  }
}
