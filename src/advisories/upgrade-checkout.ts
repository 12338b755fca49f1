import type { Workspace } from "../pipeline/pipeline-deps.ts";
import type { AdvisoryTrigger } from "../queue/job.ts";
import type { JobResult } from "../queue/start-worker.ts";
import type { BumpContext } from "./bump-context.ts";
import type { UpgradeResult } from "./ecosystems/types.ts";
import { mergeVulnerability } from "./parse-alert.ts";
import { bumpPrTitle } from "./render-bump-pr-body.ts";

type Upgraded = Extract<UpgradeResult, { status: "upgraded" }>;

export type UpgradeStage =
  | { kind: "stopped"; result: JobResult }
  | {
      kind: "upgraded";
      upgrades: Upgraded[];
      /** The manifests and lockfiles changed. */
      files: string[];
      /** The upgrade's commit, in the workspace only. */
      sha: string;
      title: string;
    };

const EXCERPT = 4000;

/**
 * Stage 2 of a bump job: the package upgraded in every manifest it is
 * alerted in (the alerts of one manifest merged), then checked to have
 * changed nothing but manifests and lockfiles, then committed in the
 * workspace, so that the agent's later changes are diffed against it. Every
 * other ending is reported here.
 */
export async function upgradeCheckout(
  ctx: BumpContext,
  args: { workspace: Workspace; advisories: readonly AdvisoryTrigger[]; baseSha: string; baseBranch: string },
): Promise<UpgradeStage> {
  const { advisory, deps, record, report } = ctx;
  const { workspace } = args;
  const upgrades: Upgraded[] = [];
  for (const manifestPath of new Set(args.advisories.map((a) => a.manifestPath))) {
    const group = args.advisories.filter((a) => a.manifestPath === manifestPath);
    const result = await ctx.ecosystem.upgrade({ dir: workspace.dir, sandbox: workspace.sandbox, advisory: { ...advisory, manifestPath }, vulnerability: mergeVulnerability(group), onEvent: record });
    record("upgrade", { manifestPath, ...result });
    if (result.status === "upgraded") upgrades.push(result);
    else if (result.status === "failed") {
      await report({
        conclusion: "failure",
        title: `Could not upgrade ${advisory.package}`,
        summary: `Patchwright could not upgrade \`${advisory.package}\` in \`${manifestPath}\` for ${advisory.ghsaId}: ${result.reason}. Nothing was pushed; upgrade it by hand.`,
        ...(result.details ? { details: "```\n" + result.details.slice(-EXCERPT) + "\n```" } : {}),
      });
      return { kind: "stopped", result: { state: "failed", summary: result.reason } };
    } else if (result.status === "unsupported" && manifestPath === advisory.manifestPath) {
      await report({ conclusion: "neutral", title: `Not supported yet: ${advisory.package}`, summary: `Patchwright cannot upgrade \`${advisory.package}\` for ${advisory.ghsaId}: ${result.reason}.` });
      return { kind: "stopped", result: { state: "skipped", summary: result.reason } };
    }
  }
  if (upgrades.length === 0) {
    await report({
      conclusion: "neutral",
      title: `Already safe: ${advisory.package}`,
      summary: `Every copy of \`${advisory.package}\` on \`${args.baseBranch}\` at ${args.baseSha.slice(0, 7)} is outside \`${advisory.vulnerableRange}\` already: nothing to upgrade.`,
    });
    return { kind: "stopped", result: { state: "skipped", summary: "already outside the vulnerable range" } };
  }
  const files = upgrades.flatMap((u) => u.files);
  // What the package manager left untracked (yarn 1's node_modules/ where nothing ignores it) is not part of the upgrade.
  const artifacts = (await deps.untracked(workspace.dir)).filter((f) => !files.includes(f));
  const stray = (await deps.diff(workspace.dir, args.baseSha, artifacts)).files.map((f) => f.path).filter((f) => !files.includes(f));
  if (stray.length > 0) {
    await report({
      conclusion: "failure",
      title: `Could not upgrade ${advisory.package}`,
      summary: `The package manager changed files besides the manifest and lockfile (${stray.slice(0, 5).map((f) => `\`${f}\``).join(", ")}), so Patchwright did not propose the upgrade.`,
    });
    return { kind: "stopped", result: { state: "failed", summary: "the upgrade touched unexpected files" } };
  }
  const title = bumpPrTitle(advisory, upgrades[0]!);
  const reasons = upgrades.flatMap((u) => u.changes.map((c) => `${c.name} ${c.from} -> ${c.to}: ${c.reason}`));
  const sha = await deps.commitAll(workspace.dir, `${title}\n\n${reasons.join("\n")}`, await deps.botIdentity(ctx.octokit), artifacts);
  return { kind: "upgraded", upgrades, files, sha, title };
}
