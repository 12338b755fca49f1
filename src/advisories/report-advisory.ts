import { CHECK_NAME } from "../github/acknowledge.ts";
import type { Report } from "../github/report.ts";
import type { Octokit } from "../github/types.ts";
import type { AdvisoryTrigger, JobRecord } from "../queue/job.ts";
import type { Redactor } from "../security/redact.ts";

const TEXT_LIMIT = 60_000;

/** `lodash (GHSA-35jh-r3h4-6jhm)`: how reports name an advisory. */
export function advisoryLabel(advisory: AdvisoryTrigger): string {
  return `${advisory.package} (${advisory.ghsaId})`;
}

/**
 * An advisory has no red commit to acknowledge, so the job opens its own
 * check run, in progress, on the commit it upgrades (the default branch's
 * head, or Dependabot's pull request head): people watching that commit see
 * the work, and its ending links to the pull request.
 */
export async function startAdvisoryCheck(octokit: Octokit, job: JobRecord, advisory: AdvisoryTrigger, sha: string, redact: Redactor): Promise<number> {
  const { data } = await octokit.rest.checks.create({
    owner: job.payload.repo.owner,
    repo: job.payload.repo.name,
    name: CHECK_NAME,
    head_sha: sha,
    status: "in_progress",
    external_id: String(job.id),
    details_url: advisory.url,
    output: {
      title: redact(`Security advisory: ${advisoryLabel(advisory)}`),
      summary: redact(`Patchwright is upgrading \`${advisory.package}\` out of the vulnerable range \`${advisory.vulnerableRange}\`.`),
    },
  });
  return data.id;
}

/** Completes the job's check run (or creates a completed one when it has none yet). Redacted. */
export async function finishAdvisoryCheck(args: {
  octokit: Octokit;
  job: JobRecord;
  sha: string;
  checkId: number | null;
  report: Report;
  redact: Redactor;
}): Promise<void> {
  const { octokit, job, report, redact } = args;
  const common = {
    owner: job.payload.repo.owner,
    repo: job.payload.repo.name,
    status: "completed" as const,
    conclusion: report.conclusion,
    completed_at: new Date().toISOString(),
    output: {
      title: redact(report.title).slice(0, 200),
      summary: redact(report.summary).slice(0, TEXT_LIMIT),
      ...(report.details ? { text: redact(report.details).slice(0, TEXT_LIMIT) } : {}),
    },
    ...(report.url ? { details_url: report.url } : {}),
  };
  if (args.checkId !== null) await octokit.rest.checks.update({ ...common, check_run_id: args.checkId });
  else await octokit.rest.checks.create({ ...common, name: CHECK_NAME, head_sha: args.sha, external_id: String(job.id) });
}
