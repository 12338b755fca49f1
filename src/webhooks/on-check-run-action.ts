import { recordPermission } from "./record-permission.ts";
import type { Context } from "probot";
import { checkRunActionId } from "../github/check-run-actions.ts";
import { hasWriteAccess } from "../github/has-write-access.ts";
import { CiTrigger, type JobPayload, type JobRecord } from "../queue/job.ts";
import type { WebhookDeps } from "./webhook-deps.ts";

/**
 * `check_run.requested_action`: a button on Patchwright's check run, pressed
 * by someone with write access (as for `/agent` commands; the presser is the
 * `sender`). "Retry fix" queues a new fix-ci job for the commit, "Explain" an
 * explain job (its diagnosis on a check run of its own), "Stop" stops the
 * commit's jobs as `/agent stop` does. The check run's `external_id` is the
 * job it reports; that job's CI trigger is what a new job works on.
 */
export function onCheckRunRequestedAction(deps: WebhookDeps) {
  return async (context: Context<"check_run.requested_action">): Promise<void> => {
    const { check_run: check, repository, installation, sender } = context.payload;
    const action = checkRunActionId(context.payload.requested_action?.identifier);
    if (!installation || action === null || check.app?.id !== deps.appId) return;
    const log = context.log.child({ delivery: context.id, repo: repository.full_name, checkRunId: check.id, action });
    if (!await deps.queue.recordDelivery(context.id)) {
      log.info("duplicate delivery ignored");
      return;
    }
    let allowed: boolean;
    try {
      allowed = await hasWriteAccess(context.octokit, { owner: repository.owner.login, repo: repository.name, username: sender.login });
    } catch (error) {
      await deps.queue.forgetDelivery(context.id);
      throw error;
    }
    if (!allowed) {
      log.info({ by: sender.login }, "check run button pressed by a user without write access");
      return;
    }
    const sameCommit = (job: JobRecord) =>
      `${job.payload.repo.owner}/${job.payload.repo.name}` === repository.full_name && ciTriggerOf(job)?.headSha === check.head_sha;

    if (action === "stop") {
      const ids = (await deps.queue.live()).filter(sameCommit).map((j) => j.id);
      const { cancelled, flagged } = await deps.queue.requestCancel(ids, sender.login);
      log.info({ cancelled: cancelled.length, flagged: flagged.length }, "stop requested");
      for (const job of cancelled) deps.tasks.run("report-cancelled", () => deps.reportCancelled(context.octokit, job, sender.login));
      return;
    }
    const reported = await deps.queue.get(Number(check.external_id));
    const trigger = reported && sameCommit(reported) ? ciTriggerOf(reported) : null;
    if (!reported || !trigger) {
      log.warn({ externalId: check.external_id }, "the check run's job is unknown here; nothing to retry or explain");
      return;
    }
    if (action === "retry" && (await deps.queue.live()).some(sameCommit)) {
      log.info("a job for this commit is already queued or running");
      return;
    }
    const payload: JobPayload = {
      ...reported.payload,
      kind: action === "retry" ? "fix-ci" : "explain",
      deliveryId: context.id,
      trigger,
    };
    // A new dedupe key per press: a new attempt, not the job that already ran.
    const { created, job } = await deps.queue.enqueue(payload, `${action}:${repository.full_name}@${check.head_sha}#${context.id}`);
    if (!created) return;
    await recordPermission(deps.queue, job.id, { actor: sender.login, delivery: context.id, via: `the check run's ${action} button` });
    log.info({ jobId: job.id, kind: payload.kind, by: sender.login }, "job queued from a check run button");
    deps.tasks.run("acknowledge", () => deps.acknowledge(job));
  };
}

/** The red build a job works on, when it came from one. */
function ciTriggerOf(job: JobRecord): CiTrigger | null {
  const parsed = CiTrigger.safeParse(job.payload.trigger);
  return parsed.success ? parsed.data : null;
}
