/**
 * `RepoGitHub` for `patchwright fix`: the pipeline's one door to "GitHub",
 * opening onto the user's repository on disk. Reads come from the commit
 * under repair (`.github/patchwright.yml` with the command line's overrides,
 * AGENTS.md); the check run and comments become the terminal's progress and
 * ending; the pull request becomes a new branch (or a patch file), written by
 * the CLI's `pushBranch`.
 */
import { pushNewBranch } from "../github/open-pull-request.ts";
import { parse as parseYaml } from "yaml";
import { parseRepoConfig } from "../config/repo-config.ts";
import { PatchwrightError } from "../errors.ts";
import { CONFIG_PATH, INSTRUCTION_FILES, type RepoReads } from "../github/read-repository.ts";
import type { RepoGitHub } from "../github/repo-github.ts";
import type { Report } from "../github/report.ts";
import type { LocalTrigger } from "../queue/job.ts";
import { readFileAt } from "./local-repository.ts";

const MAX_INSTRUCTION_BYTES = 8_000;

export interface LocalGitHubEvents {
  progress(title: string, summary: string): void;
  report(report: Report): void;
}

export function createLocalGitHub(trigger: LocalTrigger, events: LocalGitHubEvents): RepoGitHub {
  const root = trigger.dir;
  const notHere = (what: string) => async (): Promise<never> => {
    throw new PatchwrightError("internal", `${what} does not exist for a local run.`, { retryable: false });
  };
  const reads: RepoReads = {
    async config() {
      const text = await readFileAt(root, trigger.sha, CONFIG_PATH);
      let raw: unknown;
      try {
        raw = text === undefined ? {} : (parseYaml(text) ?? {});
      } catch (error) {
        return { ok: false, problems: [`the file is not valid YAML: ${(error as Error).message.split("\n")[0]}`] };
      }
      return parseRepoConfig(withOverrides(raw, trigger));
    },
    branchHead: async () => trigger.sha,
    failsOn: async () => false,
    failedJobs: async () => [],
    jobLog: async () => "",
    annotations: async () => "",
    checkRunOutput: async () => "",
    async agentInstructions() {
      const parts: string[] = [];
      for (const file of INSTRUCTION_FILES) {
        const text = await readFileAt(root, trigger.sha, file);
        if (text?.trim()) parts.push(`From ${file}:\n${text.slice(0, MAX_INSTRUCTION_BYTES).trim()}`);
      }
      return parts.join("\n\n");
    },
    pullRequest: notHere("A pull request"),
    issue: notHere("An issue"),
    reviewComments: notHere("A pull request review"),
    pullRequestCommits: notHere("A pull request"),
    openPullRequests: async () => [],
    openPullRequestFrom: async () => null,
    openAlerts: async () => null,
  };
  return {
    reads,
    checks: {
      open: async ({ jobId, title, summary }) => (events.progress(title, summary), jobId),
      progress: async (_id, title, summary) => events.progress(title, summary),
      complete: async ({ report }) => events.report(report),
    },
    comments: {
      react: async () => {},
      post: async () => {},
      report: async (_issue, report) => events.report(report),
      jobStatus: async (_issue, jobId, report) => (events.report(report), jobId),
      upsert: async () => 0,
    },
    // The branch (or patch file) is written by `pushBranch`; a branch already there is never moved.
    async openPullRequest(args) {
      const branch = await pushNewBranch(args.branch, args.jobId, args.push);
      return { number: 0, url: trigger.patchFile ?? branch, branch };
    },
  };
}

/** `--command` and `--candidates` over the repository's config; validated with it. */
function withOverrides(raw: unknown, trigger: LocalTrigger): unknown {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return raw;
  const config = raw as Record<string, unknown>;
  const commands = typeof config["commands"] === "object" && config["commands"] !== null ? (config["commands"] as Record<string, unknown>) : {};
  return {
    ...config,
    ...(trigger.command ? { commands: { ...commands, test: trigger.command } } : {}),
    ...(trigger.candidates ? { candidates: trigger.candidates } : {}),
  };
}
