import { advisoryLabel } from "../../advisories/advisory-label.ts";
import type { RepoGitHub } from "../../github/repo-github.ts";
import type { AdvisoryTrigger, JobRecord } from "../../queue/job.ts";
import type { Origin } from "./origin.ts";
import { prTitle } from "./pr-title.ts";

/**
 * A security advisory against a dependency. It has no red commit or thread to
 * acknowledge on, so the job opens its own check run, in progress, on the
 * commit it upgrades (the default branch's head, or Dependabot's pull request
 * head): people watching that commit see the work, and its ending links to
 * the pull request. Nobody asked for the job, so skips are not shown.
 */
export function advisoryOrigin(job: JobRecord, advisory: AdvisoryTrigger, github: RepoGitHub): Origin {
  const { repo } = job.payload;
  const at: { sha?: string; checkRunId: number | null } = { checkRunId: null };
  return {
    advisory,
    failureSources: [],
    writesTestFirst: false,
    failingRunUrl: undefined,
    commitsOnto: () => null,
    describe: (sha) => `A security advisory against a dependency (at ${sha.slice(0, 7)}).`,
    acknowledge: async () => null,
    async start(target) {
      at.sha = target.sha;
      at.checkRunId = await github.checks.open({
        sha: target.sha,
        jobId: job.id,
        status: "in_progress",
        title: `Security advisory: ${advisoryLabel(advisory)}`,
        summary: `Patchwright is upgrading \`${advisory.package}\` out of the vulnerable range ${advisory.vulnerableRanges.map((r) => `\`${r}\``).join(" or ")}.`,
        detailsUrl: advisory.url,
      });
      return null;
    },
    async report(report) {
      if (at.sha !== undefined) await github.checks.complete({ checkRunId: at.checkRunId, sha: at.sha, jobId: job.id, report });
    },
    showsSkips: () => false,
    reportCancelledBeforeStart: async () => {},
    relevance: async () => ({ relevant: true }),
    async target() {
      const sha = await github.reads.branchHead(repo.defaultBranch);
      // Reports before the check run is opened (a broken config, the budget) go to this commit.
      at.sha ??= sha;
      return { sha, baseBranch: repo.defaultBranch };
    },
    request: () => undefined,
    branchName: (sha) => `patchwright/fix-${sha.slice(0, 7)}`,
    prTitle: (summary) => prTitle("[security]", summary, { separator: " " }),
  };
}
