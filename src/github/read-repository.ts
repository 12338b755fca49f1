/**
 * Every read a worker makes of GitHub, for one repository: the config, branch
 * heads, the base branch's state, failed jobs and their logs, check output and
 * annotations, agent instructions, pull requests, issues and alerts. Writes
 * live in `check-runs.ts`, `open-pull-request.ts` and `post-comment.ts`.
 */
import { parseRepoConfig, type ParsedConfig } from "../config/repo-config.ts";
import { fetchFailedJobs, fetchJobLog, type FailedJob } from "./fetch-job-logs.ts";
import { fetchPullRequestCommits, type PullRequestCommitSummary } from "./pull-request-commits.ts";
import { fetchReviewComments, type ReviewCommentSummary } from "./review-comments.ts";
import type { Octokit } from "./types.ts";

export const CONFIG_PATH = ".github/patchwright.yml";
/** Files in which repositories give instructions to coding agents. */
export const INSTRUCTION_FILES = ["AGENTS.md", ".github/copilot-instructions.md"] as const;
const MAX_INSTRUCTION_BYTES = 8_000;
const MAX_ANNOTATIONS = 20;

/** An open pull request, as the jobs need it. */
export interface PullRequestSummary {
  readonly number: number;
  readonly url: string;
  readonly title: string;
  readonly body: string;
  readonly author: string | undefined;
  readonly headRef: string;
  readonly headSha: string;
  readonly baseRef: string;
  /** Its head branch is in this repository (not a fork). */
  readonly sameRepository: boolean;
}

/** A red signal on the base branch, to tell a pull request's own failure from one it inherited. */
export type BaseSignal =
  | { type: "workflow_run"; workflowId: number }
  | { type: "check_run"; name: string }
  | { type: "status"; context: string };

export interface RepoReads {
  /** `.github/patchwright.yml` from the default branch, through Probot's config plugin (`_extends` works), validated. */
  config(): Promise<ParsedConfig>;
  branchHead(branch: string): Promise<string>;
  /** Whether `signal` is red on `branch`'s latest run. */
  failsOn(branch: string, signal: BaseSignal): Promise<boolean>;
  failedJobs(runId: number): Promise<FailedJob[]>;
  jobLog(jobId: number): Promise<string>;
  /** Check-run annotations as `file:line: level: message` lines (an Actions job id is its check run id). */
  annotations(checkRunId: number): Promise<string>;
  /** A check run's title, summary and text. */
  checkRunOutput(checkRunId: number): Promise<string>;
  /** AGENTS.md and copilot instructions from `branch` (the default branch: never the one under repair). */
  agentInstructions(branch: string): Promise<string>;
  pullRequest(number: number): Promise<PullRequestSummary>;
  issue(number: number): Promise<{ number: number; title: string; body: string }>;
  /** The inline comments of one submitted review of pull request `number`. */
  reviewComments(number: number, reviewId: number): Promise<ReviewCommentSummary[]>;
  /** The commits of pull request `number` (paginated; GitHub lists at most 250). */
  pullRequestCommits(number: number): Promise<PullRequestCommitSummary[]>;
  /** Every open pull request (paginated). */
  openPullRequests(): Promise<PullRequestSummary[]>;
  /** The open pull request from `branch` of this repository, if any. */
  openPullRequestFrom(branch: string): Promise<{ number: number; url: string } | null>;
  /** Open Dependabot alerts of one package, as GitHub returns them; null when GitHub will not say (alerts off, no permission). */
  openAlerts(ecosystem: string, packageName: string): Promise<unknown[] | null>;
}

/** The reads of one repository through an installation's Octokit. */
export function createRepoReads(octokit: Octokit, repo: { owner: string; name: string }): RepoReads {
  const r = { owner: repo.owner, repo: repo.name };
  const pullRequestOf = (pr: {
    number: number; html_url: string; title: string; body?: string | null; user?: { login: string } | null;
    head: { ref: string; sha: string; repo?: { full_name: string } | null }; base: { ref: string };
  }): PullRequestSummary => ({
    number: pr.number,
    url: pr.html_url,
    title: pr.title,
    body: pr.body ?? "",
    author: pr.user?.login,
    headRef: pr.head.ref,
    headSha: pr.head.sha,
    baseRef: pr.base.ref,
    sameRepository: pr.head.repo?.full_name === `${repo.owner}/${repo.name}`,
  });

  return {
    async config() {
      try {
        const { config } = await octokit.config.get({ ...r, path: CONFIG_PATH });
        return parseRepoConfig(config);
      } catch (error) {
        // The plugin throws on YAML syntax errors; that is the maintainer's to fix, not ours.
        if ((error as { status?: number }).status !== undefined) throw error;
        const message = error instanceof Error ? error.message : String(error);
        return { ok: false, problems: [`the file is not valid YAML: ${message.split("\n")[0]}`] };
      }
    },
    async branchHead(branch) {
      const { data } = await octokit.rest.repos.getBranch({ ...r, branch });
      return data.commit.sha;
    },
    async failsOn(branch, signal) {
      switch (signal.type) {
        case "workflow_run": {
          const { data } = await octokit.rest.actions.listWorkflowRuns({ ...r, workflow_id: signal.workflowId, branch, status: "completed", per_page: 1 });
          return data.workflow_runs[0]?.conclusion === "failure";
        }
        case "check_run": {
          const { data } = await octokit.rest.checks.listForRef({ ...r, ref: branch, check_name: signal.name, filter: "latest", per_page: 1 });
          return data.check_runs[0]?.conclusion === "failure";
        }
        case "status": {
          const { data } = await octokit.rest.repos.getCombinedStatusForRef({ ...r, ref: branch });
          return data.statuses.some((s) => s.context === signal.context && (s.state === "failure" || s.state === "error"));
        }
      }
    },
    failedJobs: (runId) => fetchFailedJobs(octokit, { ...r, runId }),
    jobLog: (jobId) => fetchJobLog(octokit, { ...r, jobId }),
    async annotations(checkRunId) {
      try {
        const { data } = await octokit.rest.checks.listAnnotations({ ...r, check_run_id: checkRunId, per_page: MAX_ANNOTATIONS });
        return data
          .filter((a) => a.annotation_level === "failure" || a.annotation_level === "warning")
          .map((a) => `${a.path}:${a.start_line}: ${a.annotation_level}: ${a.message?.split("\n")[0] ?? ""}`)
          .join("\n");
      } catch {
        return ""; // Annotations are a bonus; a CI without them is fine.
      }
    },
    async checkRunOutput(checkRunId) {
      const { data } = await octokit.rest.checks.get({ ...r, check_run_id: checkRunId });
      return [data.output.title, data.output.summary, data.output.text].filter(Boolean).join("\n\n");
    },
    async agentInstructions(branch) {
      const parts: string[] = [];
      for (const path of INSTRUCTION_FILES) {
        const text = await readText(octokit, r, path, branch);
        if (text?.trim()) parts.push(`From ${path}:\n${text.slice(0, MAX_INSTRUCTION_BYTES).trim()}`);
      }
      return parts.join("\n\n");
    },
    async pullRequest(number) {
      const { data } = await octokit.rest.pulls.get({ ...r, pull_number: number });
      return pullRequestOf(data);
    },
    async issue(number) {
      const { data } = await octokit.rest.issues.get({ ...r, issue_number: number });
      return { number: data.number, title: data.title, body: data.body ?? "" };
    },
    reviewComments: (number, reviewId) => fetchReviewComments(octokit, { ...r, pullNumber: number, reviewId }),
    pullRequestCommits: (number) => fetchPullRequestCommits(octokit, { ...r, pullNumber: number }),
    async openPullRequests() {
      const pulls = await octokit.paginate(octokit.rest.pulls.list, { ...r, state: "open", per_page: 100 });
      return pulls.map(pullRequestOf);
    },
    async openPullRequestFrom(branch) {
      const { data } = await octokit.rest.pulls.list({ ...r, head: `${repo.owner}:${branch}`, state: "open" });
      const found = data[0];
      return found ? { number: found.number, url: found.html_url } : null;
    },
    async openAlerts(ecosystem, packageName) {
      try {
        const { data } = await octokit.rest.dependabot.listAlertsForRepo({ ...r, state: "open", ecosystem, package: packageName, per_page: 100 });
        return data as unknown[];
      } catch (error) {
        const status = (error as { status?: number }).status;
        if (status === 403 || status === 404) return null;
        throw error;
      }
    },
  };
}

/** A file's text at `ref`, or undefined when it is missing or not a file. */
async function readText(octokit: Octokit, r: { owner: string; repo: string }, path: string, ref: string): Promise<string | undefined> {
  try {
    const { data } = await octokit.rest.repos.getContent({ ...r, path, ref });
    if (Array.isArray(data) || data.type !== "file" || !("content" in data)) return undefined;
    return Buffer.from(data.content, "base64").toString("utf8");
  } catch {
    return undefined; // Missing (404) or unreadable: the caller works without it.
  }
}
