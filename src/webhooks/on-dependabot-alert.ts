import type { Context } from "probot";
import { parseAlert } from "../advisories/parse-alert.ts";
import type { JobPayload } from "../queue/job.ts";
import { repoRefOf } from "./repo-ref.ts";
import type { WebhookDeps } from "./webhook-deps.ts";

type AlertEvent = "dependabot_alert.created" | "dependabot_alert.reopened" | "dependabot_alert.reintroduced";

/** The actions that mean "this dependency is vulnerable now": a new alert, or one back after being dismissed or fixed. */
export const DEPENDABOT_ALERT_EVENTS: readonly AlertEvent[] = ["dependabot_alert.created", "dependabot_alert.reopened", "dependabot_alert.reintroduced"];

/**
 * `dependabot_alert.created/reopened/reintroduced`: queue a `bump-dependency`
 * job, one per (repository, ecosystem, package) at a time; alerts for a
 * package whose job has not finished are covered by it (the worker reads
 * every open alert of the package). No GitHub call here: an advisory has no
 * commit to acknowledge on, the job reports on its own check run.
 */
export function onDependabotAlert(deps: WebhookDeps) {
  return async (context: Context<AlertEvent>): Promise<void> => {
    const { alert, repository, installation } = context.payload;
    const log = context.log.child({ delivery: context.id, repo: repository.full_name, alert: alert.number });
    if (!installation) return;
    const parsed = parseAlert(alert);
    if (!parsed.ok) {
      log.warn({ reason: parsed.reason }, "dependabot alert ignored");
      return;
    }
    if (!await deps.queue.recordDelivery(context.id)) {
      log.info("duplicate delivery ignored");
      return;
    }
    const trigger = parsed.trigger;
    const payload: JobPayload = {
      version: 1,
      kind: "bump-dependency",
      installationId: installation.id,
      deliveryId: context.id,
      repo: repoRefOf(repository),
      trigger,
    };
    const key = `advisory:${repository.full_name}:${trigger.ecosystem}:${trigger.package}`;
    // A finished job (whatever its ending) makes room for a new one: the alert is back, so is the work.
    const { created, job } = await deps.queue.enqueueUnlessLive(payload, key);
    if (created) log.info({ jobId: job.id, package: trigger.package, ghsa: trigger.ghsaId }, "job queued");
    else log.info({ jobId: job.id, package: trigger.package }, "an upgrade of this package is already queued or running");
  };
}
