import type { Target } from "../github/resolve-target.ts";
import type { JobPayload } from "../queue/job.ts";

const EXCERPT = 4000;

/** One markdown line saying what failed, for PR bodies. */
export function describeFailure(payload: JobPayload, target: Target): string {
  const t = payload.trigger;
  if (t.type === "workflow_run") return `[${t.workflowName}](${t.runUrl}) failed on \`${t.headBranch}\` at ${t.headSha.slice(0, 7)}.`;
  const where = t.isPullRequest ? "pull request" : "issue";
  return `@${t.author} asked for a fix on ${where} #${t.issueNumber} (at ${target.sha.slice(0, 7)}).`;
}

/** The tail of a command's output, fenced, for reports. */
export function outputExcerpt(output: string): string {
  const text = output.length > EXCERPT ? `…\n${output.slice(-EXCERPT)}` : output;
  return "```\n" + text.replace(/```/g, "`\u200b``") + "\n```";
}
