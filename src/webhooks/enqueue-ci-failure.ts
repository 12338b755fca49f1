import type { Logger } from "pino";
import type { FailureSource, JobPayload, RepoRef } from "../queue/job.ts";
import type { Decision } from "./should-fix-ci-failure.ts";
import type { WebhookDeps } from "./webhook-deps.ts";

export interface CiFailure {
  repo: RepoRef;
  headSha: string;
  headBranch: string;
  pullRequest?: { number: number; baseBranch: string };
  source: FailureSource;
}

/**
 * Records a red signal as a job, or adds it to the job already waiting for
 * the same commit (several workflows and checks failing together make one
 * job with all their evidence). Returns without any GitHub write; the
 * acknowledgement runs after the response.
 */
export async function enqueueCiFailure(
  deps: WebhookDeps,
  delivery: { id: string; installationId: number | undefined; log: Logger },
  decision: Decision,
  failure: CiFailure,
): Promise<void> {
  const { log } = delivery;
  if (!decision.act || delivery.installationId === undefined) {
    log.debug({ reason: decision.act ? "no installation" : decision.reason }, "failure ignored");
    return;
  }
  const payload: JobPayload = {
    version: 1,
    kind: "fix-ci",
    installationId: delivery.installationId,
    deliveryId: delivery.id,
    repo: failure.repo,
    ...(failure.pullRequest ? { thread: failure.pullRequest.number } : {}),
    trigger: {
      type: "ci",
      headSha: failure.headSha,
      headBranch: failure.headBranch,
      ...(failure.pullRequest ? { pullRequest: failure.pullRequest } : {}),
      sources: [failure.source],
    },
  };
  const key = `ci:${failure.repo.owner}/${failure.repo.name}@${failure.headSha}`;
  // The delivery and its job in one commit (a crash cannot keep one without the other).
  const enqueued = await deps.queue.enqueueDelivery(delivery.id, payload, key, { delayMs: deps.coalesceMs });
  if (enqueued === null) {
    log.info("duplicate delivery ignored");
    return;
  }
  const { created, job } = enqueued;
  if (created) {
    log.info({ jobId: job.id }, "job queued");
    deps.tasks.run("acknowledge", () => deps.acknowledge(job));
    return;
  }
  const added = await deps.queue.addFailureSource(job.id, failure.source);
  if (added === "added") log.info({ jobId: job.id }, "failure added to the waiting job for this commit");
  else if (added === "present") log.info({ jobId: job.id }, "a job already exists for this commit");
  else log.info({ jobId: job.id }, "a job for this commit is already running");
}
