import type { Ecosystem, UpgradeResult } from "../../advisories/ecosystems/types.ts";
import { mergeVulnerability } from "../../advisories/parse-alert.ts";
import { bumpPrTitle } from "../../advisories/render-bump-pr-body.ts";
import { fence, tail } from "../../github/markdown.ts";
import type { Report } from "../../github/report.ts";
import type { AdvisoryTrigger, JobResult } from "../../queue/job.ts";
import type { Workspace } from "../../workspace/types.ts";
import type { JobContext } from "../job-context.ts";
import type { Target } from "../origins/origin.ts";
import { REPORT_EXCERPT_CHARS } from "../stages/4-reproduce.ts";

export type Upgraded = Extract<UpgradeResult, { status: "upgraded" }>;

export interface UpgradedCheckout {
  upgrades: Upgraded[];
  /** The manifests and lockfiles changed. */
  files: string[];
  /** The upgrade's commit, in the workspace only. */
  sha: string;
  title: string;
}

/**
 * Stage 4 of a bump job: the package upgraded in every manifest it is
 * alerted in (the alerts of one manifest merged), then checked to have
 * changed nothing but manifests and lockfiles, then committed in the
 * workspace, so that the agent's later changes are diffed against it. Ends
 * the job when there is nothing to upgrade or the upgrade cannot be made.
 */
export async function upgradeCheckout(
  ctx: JobContext,
  args: { workspace: Workspace; ecosystem: Extract<Ecosystem, { supported: true }>; advisory: AdvisoryTrigger; advisories: readonly AdvisoryTrigger[]; target: Target },
): Promise<UpgradedCheckout> {
  const { deps } = ctx;
  const { workspace, advisory, target } = args;
  const end = (result: JobResult, report: Report): never => ctx.end({ result, report });
  const cannot = `Could not upgrade ${advisory.package}`;
  const upgrades: Upgraded[] = [];
  for (const manifestPath of new Set(args.advisories.map((a) => a.manifestPath))) {
    const group = args.advisories.filter((a) => a.manifestPath === manifestPath);
    const result = await args.ecosystem.upgrade({ dir: workspace.dir, sandbox: workspace.sandbox, advisory: { ...advisory, manifestPath }, vulnerability: mergeVulnerability(group), onEvent: ctx.record });
    ctx.record("upgrade", { manifestPath, ...result });
    if (result.status === "upgraded") upgrades.push(result);
    else if (result.status === "failed") {
      end(
        { state: "failed", summary: result.reason },
        {
          conclusion: "failure",
          title: cannot,
          summary: `Patchwright could not upgrade \`${advisory.package}\` in \`${manifestPath}\` for ${advisory.ghsaId}: ${result.reason}. Nothing was pushed; upgrade it by hand.`,
          ...(result.details ? { details: fence(tail(result.details, REPORT_EXCERPT_CHARS)) } : {}),
        },
      );
    } else if (result.status === "unsupported" && manifestPath === advisory.manifestPath) {
      end({ state: "skipped", summary: result.reason }, { conclusion: "neutral", title: `Not supported yet: ${advisory.package}`, summary: `Patchwright cannot upgrade \`${advisory.package}\` for ${advisory.ghsaId}: ${result.reason}.` });
    }
  }
  if (upgrades.length === 0) {
    end(
      { state: "skipped", summary: "already outside the vulnerable range" },
      {
        conclusion: "neutral",
        title: `Already safe: ${advisory.package}`,
        summary: `Every copy of \`${advisory.package}\` on \`${target.baseBranch}\` at ${target.sha.slice(0, 7)} is outside ${advisory.vulnerableRanges.map((r) => `\`${r}\``).join(" or ")} already: nothing to upgrade.`,
      },
    );
  }
  const files = upgrades.flatMap((u) => u.files);
  // What the package manager left untracked (yarn 1's node_modules/ where nothing ignores it) is not part of the upgrade.
  const artifacts = (await deps.untracked(workspace)).filter((f) => !files.includes(f));
  const upgrade = await deps.diff(workspace, target.sha, artifacts);
  const stray = upgrade.files.map((f) => f.path).filter((f) => !files.includes(f));
  if (stray.length > 0) {
    end(
      { state: "failed", summary: "the upgrade touched unexpected files" },
      {
        conclusion: "failure",
        title: cannot,
        summary: `The package manager changed files besides the manifest and lockfile (${stray.slice(0, 5).map((f) => `\`${f}\``).join(", ")}), so Patchwright did not propose the upgrade.`,
      },
    );
  }
  const title = bumpPrTitle(advisory, upgrades[0]!);
  const reasons = upgrades.flatMap((u) => u.changes.map((c) => `${c.name} ${c.from} -> ${c.to}: ${c.reason}`));
  const sha = await deps.commit(workspace, upgrade.tree, `${title}\n\n${reasons.join("\n")}`, await deps.botIdentity(ctx.payload.installationId));
  return { upgrades, files, sha, title };
}
