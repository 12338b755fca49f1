import { recordPermission } from "./record-permission.ts";
import type { Logger } from "pino";
import { RepoConfig } from "../config/repo-config.ts";
import { createRepoReads } from "../github/read-repository.ts";
import { createThreadComments } from "../github/thread-comments.ts";
import type { Octokit } from "../github/types.ts";
import { ReviewTrigger, type JobPayload, type JobRecord, type RepoRef } from "../queue/job.ts";
import type { WebhookDeps } from "./webhook-deps.ts";

/** The hidden line of the one "a person takes it from here" comment of a pull request. */
export const ITERATION_CAP_MARKER = "<!-- patchwright:iteration-cap -->";

/** States of an iteration that count against the cap: it ran, or will. A stopped or skipped one changed nothing. */
const COUNTED = new Set(["queued", "running", "succeeded", "failed"]);

/** The review iterations (jobs from a review or an `/agent fix` on the app's pull request) of one pull request. */
export function iterationsOf(jobs: readonly JobRecord[]): JobRecord[] {
  return jobs.filter((j) => COUNTED.has(j.state) && ReviewTrigger.safeParse(j.payload.trigger).success);
}

/**
 * Queues a review iteration of the app's own pull request (or a person's it
 * committed a fix to, `is-app-pull-request.ts`), unless the pull
 * request had `max_attempts` of them already (the repository's config, read
 * from the default branch): then no job, and one comment, edited in place on
 * each later request, asks a person to take over. One live iteration per
 * head commit: a request while one works on it is told to wait.
 */
export async function enqueueIteration(
  deps: WebhookDeps,
  args: { octokit: Octokit; repo: RepoRef; installationId: number; deliveryId: string; trigger: ReviewTrigger; log: Logger },
): Promise<void> {
  const { octokit, repo, trigger, log } = args;
  const full = `${repo.owner}/${repo.name}`;
  const parsed = await createRepoReads(octokit, repo).config();
  // An invalid config is the job's to report (its admission names the keys); the cap is the default's meanwhile.
  const config = parsed.ok ? parsed.config : RepoConfig.parse({});
  if (!config.enabled) {
    log.info("disabled by config; review not iterated");
    return;
  }
  const comments = createThreadComments(octokit, repo, deps.redact);
  const done = iterationsOf(await deps.queue.jobsOfThread(full, trigger.pullNumber)).length;
  if (done >= config.max_attempts) {
    log.info({ iterations: done, maxAttempts: config.max_attempts }, "iteration cap reached; asking for a person");
    const body = [
      `**Over to a person**`,
      "",
      `Patchwright has already changed this pull request ${done} time${done === 1 ? "" : "s"} on request, the most \`max_attempts\` in \`.github/patchwright.yml\` allows (${config.max_attempts}), so it did not act on @${trigger.author}'s latest request.`,
      "",
      "Please make the change by hand (the branch is an ordinary branch of this repository), or raise `max_attempts` on the default branch and ask again.",
    ].join("\n");
    deps.tasks.run("ask-for-a-person", () => comments.upsert(trigger.pullNumber, ITERATION_CAP_MARKER, body));
    return;
  }
  const payload: JobPayload = {
    version: 1,
    kind: "fix-ci",
    installationId: args.installationId,
    deliveryId: args.deliveryId,
    repo,
    thread: trigger.pullNumber,
    trigger,
  };
  const { created, job } = await deps.queue.enqueueUnlessLive(payload, `iterate:${full}@${trigger.headSha}`);
  if (!created) {
    log.info({ jobId: job.id }, "an iteration of this commit is already queued or running");
    deps.tasks.run("reply", () =>
      comments.post(trigger.pullNumber, `Patchwright is already changing this pull request at ${trigger.headSha.slice(0, 7)} (job ${job.id}). Ask again once it has pushed, or \`/agent stop\` it first.`),
    );
    return;
  }
  await recordPermission(deps.queue, job.id, { actor: trigger.author, delivery: args.deliveryId, via: "commentId" in trigger.via ? `comment ${trigger.via.commentId}` : "a review" });
  log.info({ jobId: job.id, comments: trigger.comments.length, iteration: done + 1 }, "review iteration queued");
  deps.tasks.run("acknowledge", () => deps.acknowledge(job));
}
