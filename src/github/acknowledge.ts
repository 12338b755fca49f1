import type { JobRecord } from "../queue/job.ts";
import type { Octokit } from "./types.ts";

export const CHECK_NAME = "Patchwright";

/**
 * Tells the requester, within seconds, that the job was taken: an "eyes"
 * reaction on a command comment, a queued check run on a red commit.
 * Returns the check run id, if one was created.
 */
export async function acknowledge(octokit: Octokit, job: JobRecord): Promise<number | null> {
  const { repo, trigger } = job.payload;
  if (trigger.type === "comment") {
    await octokit.rest.reactions.createForIssueComment({
      owner: repo.owner,
      repo: repo.name,
      comment_id: trigger.commentId,
      content: "eyes",
    });
    return null;
  }
  const { data } = await octokit.rest.checks.create({
    owner: repo.owner,
    repo: repo.name,
    name: CHECK_NAME,
    head_sha: trigger.headSha,
    status: "queued",
    external_id: String(job.id),
    details_url: trigger.runUrl,
    output: {
      title: "Queued",
      summary: `Patchwright is looking into the failed run of **${trigger.workflowName}** ([run](${trigger.runUrl})).`,
    },
  });
  return data.id;
}
