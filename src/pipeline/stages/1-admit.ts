import type { RepoConfig } from "../../config/repo-config.ts";
import type { Report } from "../../github/report.ts";
import type { JobContext } from "../job-context.ts";

/** What an admitted job may spend: the config's budget, capped by cost and by what is left of the day's. */
export interface Budget {
  turns: number;
  tokens: number;
  minutes: number;
}

const DAY_MS = 24 * 3_600_000;

/**
 * Stage 1: whether this job runs at all. The repository's config (valid and
 * enabled), the job still relevant (its origin decides: a superseded commit,
 * a failure inherited from the base branch), and the repository's daily
 * budget not used up. Ends the job otherwise; failures are always shown,
 * skips only where the origin shows them.
 */
export async function admit(ctx: JobContext): Promise<{ config: RepoConfig; budget: Budget }> {
  ctx.progress("Admitting");
  const parsed = await ctx.github.reads.config();
  if (!parsed.ok) {
    return fail("invalid repository config", {
      conclusion: "failure",
      title: "Invalid .github/patchwright.yml",
      summary: `Patchwright did not run: fix these keys in \`.github/patchwright.yml\` on the default branch.\n\n${parsed.problems.map((p) => `- ${p}`).join("\n")}`,
    });
  }
  const config = parsed.config;
  ctx.maxAttempts = config.max_attempts;
  if (!config.enabled) {
    return skip(ctx, "disabled by config", { conclusion: "skipped", title: "Disabled", summary: "Patchwright is disabled for this repository (`enabled: false` in `.github/patchwright.yml`)." });
  }
  const relevance = await ctx.origin.relevance(config);
  if (!relevance.relevant) return skip(ctx, relevance.reason, relevance.report);

  const { deps } = ctx;
  const today = await deps.usage.since(ctx.repoFullName, deps.now() - DAY_MS);
  const b = config.budget;
  if (today.tokens >= b.daily_tokens || today.costUsd >= b.daily_cost_usd) {
    return fail("daily budget used up", {
      conclusion: "failure",
      title: "Daily budget used up",
      summary: `This repository used ${today.tokens} tokens ($${today.costUsd.toFixed(2)}) in the last 24 hours, the limit set by \`budget.daily_tokens\` / \`budget.daily_cost_usd\` in \`.github/patchwright.yml\`. Comment \`/agent fix\` later, or raise the limit.`,
    });
  }
  const tokens = Math.min(b.tokens, deps.usage.tokensFor(b.cost_usd), b.daily_tokens - today.tokens, deps.usage.tokensFor(b.daily_cost_usd - today.costUsd));
  return { config, budget: { turns: b.turns, tokens, minutes: b.minutes } };

  function fail(summary: string, report: Report): never {
    return ctx.end({ result: { state: "failed", summary }, report });
  }
}

/** A skip closes an acknowledgement already made; nobody gets a new check run per red commit. */
function skip(ctx: JobContext, summary: string, report: Report): never {
  return ctx.end({ result: { state: "skipped", summary }, ...(ctx.origin.showsSkips() ? { report } : {}) });
}
