import { ecosystemFor } from "../../advisories/ecosystems/index.ts";
import type { Ecosystem } from "../../advisories/ecosystems/types.ts";
import { parseAlert, type AlertLike } from "../../advisories/parse-alert.ts";
import type { AdvisoryTrigger } from "../../queue/job.ts";
import type { JobContext } from "../job-context.ts";
import type { Target } from "../origins/origin.ts";

/**
 * Stage 2 of a bump job: the package's ecosystem must be one Patchwright can
 * upgrade (else a "not supported yet" check run says what to do by hand), and
 * the alert must still be open. Every other open alert of the same package is
 * handled by the same upgrade.
 */
export async function readAdvisory(
  ctx: JobContext,
  advisory: AdvisoryTrigger,
  target: Target,
): Promise<{ ecosystem: Extract<Ecosystem, { supported: true }>; advisories: AdvisoryTrigger[] }> {
  const ecosystem = ecosystemFor(advisory.ecosystem);
  if (!ecosystem.supported) {
    ctx.end({
      result: { state: "skipped", summary: `${advisory.ecosystem} is not supported yet` },
      report: { conclusion: "neutral", title: `Not supported yet: ${advisory.ecosystem} advisory ${advisory.ghsaId}`, summary: ecosystem.explain(advisory), url: advisory.url },
    });
  }
  const raw = await ctx.github.reads.openAlerts(advisory.ecosystem, advisory.package);
  // Null: GitHub will not say (alerts off, no permission); the job works from its own alert alone.
  const open = raw?.flatMap((alert) => {
    const parsed = parseAlert(alert as AlertLike);
    return parsed.ok && parsed.trigger.package === advisory.package ? [parsed.trigger] : [];
  });
  if (open && !open.some((a) => a.alertNumber === advisory.alertNumber)) {
    ctx.end({ result: { state: "skipped", summary: `alert #${advisory.alertNumber} is no longer open` } });
  }
  const advisories = [advisory, ...(open ?? []).filter((a) => a.alertNumber !== advisory.alertNumber)];
  ctx.record("advisory", { sha: target.sha, alerts: advisories.map((a) => a.alertNumber), manifests: [...new Set(advisories.map((a) => a.manifestPath))] });
  return { ecosystem, advisories };
}
