import type { RepoConfig } from "../config/repo-config.ts";
import { loadRepoConfig } from "../github/load-repo-config.ts";
import type { Report } from "../github/report.ts";
import type { Octokit } from "../github/types.ts";
import type { JobPayload } from "../queue/job.ts";
import { checkRelevance } from "./0-check-relevance.ts";
import type { PipelineDeps } from "./pipeline-deps.ts";

export type Admission =
  | { admitted: true; config: RepoConfig; spentToday: { tokens: number; costUsd: number } }
  /** Not run: `report` says why where the requester looks (absent when nobody asked). */
  | { admitted: false; state: "failed" | "skipped"; summary: string; report?: Report };

const DAY_MS = 24 * 3_600_000;

/**
 * Stage 0: whether this job runs at all. The repository's config (valid and
 * enabled), the failure still relevant (see `checkRelevance`), and the
 * repository's daily budget not used up.
 */
export async function admitJob(octokit: Octokit, payload: JobPayload, deps: Pick<PipelineDeps, "usage" | "now">): Promise<Admission> {
  const { owner, name } = payload.repo;
  const parsed = await loadRepoConfig(octokit, owner, name);
  if (!parsed.ok) {
    return {
      admitted: false,
      state: "failed",
      summary: "invalid repository config",
      report: {
        conclusion: "failure",
        title: "Invalid .github/patchwright.yml",
        summary: `Patchwright did not run: fix these keys in \`.github/patchwright.yml\` on the default branch.\n\n${parsed.problems.map((p) => `- ${p}`).join("\n")}`,
      },
    };
  }
  const config = parsed.config;
  if (!config.enabled) {
    return {
      admitted: false,
      state: "skipped",
      summary: "disabled by config",
      report: { conclusion: "skipped", title: "Disabled", summary: "Patchwright is disabled for this repository (`enabled: false` in `.github/patchwright.yml`)." },
    };
  }
  const relevance = await checkRelevance(octokit, payload, config);
  if (!relevance.relevant) return { admitted: false, state: "skipped", summary: relevance.reason, report: relevance.report };

  const spentToday = deps.usage.since(`${owner}/${name}`, deps.now() - DAY_MS);
  const b = config.budget;
  if (spentToday.tokens >= b.daily_tokens || spentToday.costUsd >= b.daily_cost_usd) {
    return {
      admitted: false,
      state: "failed",
      summary: "daily budget used up",
      report: {
        conclusion: "failure",
        title: "Daily budget used up",
        summary: `This repository used ${spentToday.tokens} tokens ($${spentToday.costUsd.toFixed(2)}) in the last 24 hours, the limit set by \`budget.daily_tokens\` / \`budget.daily_cost_usd\` in \`.github/patchwright.yml\`. Comment \`/agent fix\` later, or raise the limit.`,
      },
    };
  }
  return { admitted: true, config, spentToday };
}
