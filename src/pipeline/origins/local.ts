import type { RepoGitHub } from "../../github/repo-github.ts";
import type { JobRecord, LocalTrigger } from "../../queue/job.ts";
import type { Origin } from "./origin.ts";
import { prTitle } from "./pr-title.ts";

/**
 * `patchwright fix` in a terminal: the user's repository on disk. There is no
 * check run or thread: the local `RepoGitHub` (`cli/local-github.ts`) shows
 * progress and the ending in the terminal, and its "pull request" is a new
 * branch in the user's repository (or a patch file). Someone is watching, so
 * every skip is shown. With instructions and green tests, the agent first
 * writes a test that shows the problem, as for `/agent fix` on an issue.
 */
export function localOrigin(job: JobRecord, trigger: LocalTrigger, github: RepoGitHub): Origin {
  const what = trigger.command ? `\`${trigger.command}\`` : "The tests";
  return {
    failureSources: [],
    writesTestFirst: trigger.instructions !== undefined && trigger.instructions.trim() !== "",
    failingRunUrl: undefined,
    commitsOnto: () => null,
    describe: (sha) => `${what} failed in \`${trigger.dir}\` at ${sha.slice(0, 7)} (\`patchwright fix\`).`,
    acknowledge: async () => null,
    async start(target) {
      await github.checks.progress(job.id, "Reproducing the failure", `Reproducing ${what.toLowerCase()} at ${target.sha.slice(0, 7)} in a sandbox.`);
      return null;
    },
    report: (report) => github.checks.complete({ checkRunId: job.id, sha: trigger.sha, jobId: job.id, report }),
    showsSkips: () => true,
    reportCancelledBeforeStart: async () => {},
    relevance: async () => ({ relevant: true }),
    target: async () => ({ sha: trigger.sha, baseBranch: trigger.branch }),
    request: () => (trigger.instructions ? { instructions: trigger.instructions } : undefined),
    branchName: (sha) => `patchwright/fix-${sha.slice(0, 7)}`,
    prTitle: (summary) => prTitle(`Fix ${trigger.command ?? "the tests"}`, summary),
  };
}
