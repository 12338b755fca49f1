import type { Octokit } from "../github/types.ts";
import type { AdvisoryTrigger } from "../queue/job.ts";
import { parseAlert, type AlertLike } from "./parse-alert.ts";

/**
 * Every open Dependabot alert of one package in the repository, as triggers.
 * Null when GitHub will not say (alerts disabled, or the installation lacks
 * `vulnerability_alerts: read`): the job then works from its own alert alone.
 */
export async function listOpenPackageAlerts(octokit: Octokit, owner: string, repo: string, ecosystem: string, packageName: string): Promise<AdvisoryTrigger[] | null> {
  try {
    const { data } = await octokit.rest.dependabot.listAlertsForRepo({ owner, repo, state: "open", ecosystem, package: packageName, per_page: 100 });
    return (data as unknown as AlertLike[]).flatMap((alert) => {
      const parsed = parseAlert(alert);
      return parsed.ok && parsed.trigger.package === packageName ? [parsed.trigger] : [];
    });
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 403 || status === 404) return null;
    throw error;
  }
}
