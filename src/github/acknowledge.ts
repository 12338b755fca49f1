import type { JobRecord } from "../queue/job.ts";
import { describeFailure, firstSourceUrl } from "./describe-job.ts";
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
  // An advisory has no commit or thread to acknowledge on; its pull request is the answer.
  if (trigger.type !== "ci") return null;
  const detailsUrl = firstSourceUrl(job.payload);
  const { data } = await octokit.rest.checks.create({
    owner: repo.owner,
    repo: repo.name,
    name: CHECK_NAME,
    head_sha: trigger.headSha,
    status: "queued",
    external_id: String(job.id),
    ...(detailsUrl ? { details_url: detailsUrl } : {}),
    output: {
      title: "Queued",
      summary: `Patchwright is looking into this: ${describeFailure(job.payload, trigger.headSha)}`,
    },
  });
  return data.id;
}
