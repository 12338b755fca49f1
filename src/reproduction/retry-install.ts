/**
 * Installs that reach beyond the package registries (a postinstall that
 * downloads a browser, a binary, a site list) fail in the setup sandbox,
 * whose only way out is the registry proxy. Such a failure is retried once
 * with install scripts off and the usual "skip the download" variables set:
 * most test suites never needed what the script fetched. The retried plan is
 * not exact, and the hosts that were refused are named.
 */
import type { Sandbox } from "../workspace/types.ts";
import { runReproduction, type ReproductionOutcome, type RunReproductionOptions } from "./run-reproduction.ts";
import type { PlannedStep, ReproductionPlan } from "./types.ts";

/**
 * Variables that turn off install scripts (npm, pnpm, Yarn classic and Berry)
 * and the downloads well-known packages make from their install scripts.
 */
export const SCRIPTS_OFF_ENV: Readonly<Record<string, string>> = {
  npm_config_ignore_scripts: "true",
  YARN_ENABLE_SCRIPTS: "false",
  PUPPETEER_SKIP_DOWNLOAD: "1",
  PUPPETEER_SKIP_CHROMIUM_DOWNLOAD: "1",
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1",
  CYPRESS_INSTALL_BINARY: "0",
  ELECTRON_SKIP_BINARY_DOWNLOAD: "1",
  CHROMEDRIVER_SKIP_DOWNLOAD: "true",
  GECKODRIVER_SKIP_DOWNLOAD: "true",
  SENTRYCLI_SKIP_DOWNLOAD: "1",
  SKIP_SASS_BINARY_DOWNLOAD_FOR_CI: "1",
  HUSKY: "0",
  DISABLE_OPENCOLLECTIVE: "1",
  ADBLOCK: "1",
};

/** What the sandbox's setup network appends when it refused a connection (see `sandbox-network.ts`). */
const REFUSED_NOTE = /\[patchwright: the setup network refused ([^\]\n]+?): not an allowed package registry\]/g;
/** A tool that ignored the proxy and tried DNS itself (there is none in the sandbox). */
const DNS_FAILURE = /\b(?:getaddrinfo\s+)?(?:ENOTFOUND|EAI_AGAIN)\s+([a-z0-9][a-z0-9.-]*\.[a-z]{2,})\b/gi;
const RESOLVE_FAILURE = /(?:Could not resolve host|Temporary failure in name resolution[^\n]*?|Failed to resolve)\W+([a-z0-9][a-z0-9.-]*\.[a-z]{2,})/gi;

/**
 * The hosts an install tried to reach beyond the registries, from its output:
 * those the proxy refused (`host:port`) and those a tool failed to resolve
 * itself. Empty when the failure is something else.
 */
export function hostsBeyondRegistries(output: string): string[] {
  const hosts = new Set<string>();
  for (const match of output.matchAll(REFUSED_NOTE)) for (const host of (match[1] ?? "").split(/,\s*/)) if (host) hosts.add(host);
  for (const pattern of [DNS_FAILURE, RESOLVE_FAILURE]) {
    for (const match of output.matchAll(pattern)) {
      const host = (match[1] ?? "").toLowerCase();
      if (host && ![...hosts].some((known) => known.startsWith(`${host}:`))) hosts.add(host);
    }
  }
  return [...hosts];
}

/**
 * The plan again with install scripts off in its setup steps (those with
 * network), marked inexact, naming the refused hosts; null when the failed
 * step was not a setup step or reached no host beyond the registries.
 */
export function withoutInstallScripts(plan: ReproductionPlan, failedStep: string | undefined, output: string): { plan: ReproductionPlan; hosts: string[] } | null {
  const failed = plan.steps.find((step) => step.name === failedStep);
  if (failed === undefined || !failed.network) return null;
  const hosts = hostsBeyondRegistries(output);
  if (hosts.length === 0) return null;
  const reason = `install scripts are off here (the install reached ${hosts.map((h) => `\`${h}\``).join(", ")}, which the setup network does not allow)`;
  const steps = plan.steps.map((step): PlannedStep =>
    step.network ? { ...step, env: { ...step.env, ...SCRIPTS_OFF_ENV }, inexact: step.inexact ? `${step.inexact}; ${reason}` : reason } : step,
  );
  const note =
    `Setup reached beyond the package registries (${hosts.map((h) => `\`${h}\``).join(", ")}), so it was run again with install scripts off ` +
    "and browser/binary downloads skipped. To allow such a host for setup, set `setup.allowed_hosts` in `.github/patchwright.yml` " +
    "(or the operator's `PATCHWRIGHT_SETUP_ALLOWED_HOSTS`).";
  return { plan: { ...plan, steps, notes: [...plan.notes, note], exact: false }, hosts };
}

/**
 * Runs the plan; when setup failed reaching beyond the registries, once more
 * with install scripts off. `hosts` names what the first run tried to reach.
 */
export async function reproduceRetryingInstall(
  sandbox: Sandbox,
  plan: ReproductionPlan,
  options: RunReproductionOptions,
): Promise<{ outcome: ReproductionOutcome; plan: ReproductionPlan; hosts: string[] }> {
  const outcome = await runReproduction(sandbox, plan, options);
  if (outcome.verdict !== "setup_failed") return { outcome, plan, hosts: [] };
  const retry = withoutInstallScripts(plan, outcome.run.failedStep, outcome.failure.output);
  if (retry === null) return { outcome, plan, hosts: [] };
  return { outcome: await runReproduction(sandbox, retry.plan, options), plan: retry.plan, hosts: retry.hosts };
}
