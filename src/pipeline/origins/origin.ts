import type { FixRequest } from "../../agent/fix-request.ts";
import type { RepoConfig } from "../../config/repo-config.ts";
import type { Report } from "../../github/report.ts";
import type { AdvisoryTrigger, FailureSource } from "../../queue/job.ts";

/** What a job works on: a commit, the branch a fix PR goes to, and any issue text. */
export interface Target {
  sha: string;
  /** Branch the fix pull request targets. */
  baseBranch: string;
  issue?: { number: number; title: string; body: string };
}

export type Relevance = { relevant: true } | { relevant: false; reason: string; report: Report };

/**
 * Everything about a job that depends on what triggered it (a red CI run, an
 * `/agent` comment, a security advisory), behind one interface: where the
 * requester is told things, what the job works on, and how its branch and
 * pull request are named. Nothing outside `origins/` asks which trigger it is.
 */
export interface Origin {
  /** The security advisory a dependency upgrade answers (advisory origins only). */
  readonly advisory?: AdvisoryTrigger;
  /** The red signals to gather evidence from (none for a comment or an advisory). */
  readonly failureSources: readonly FailureSource[];
  /**
   * Nothing red stops the job: it goes on with green tests (issue mode). The
   * agent first writes a test that shows the problem, or, for a review of the
   * app's pull request (the request carries a `review`), makes the changes asked for.
   */
  readonly writesTestFirst: boolean;
  /** One markdown sentence: what failed or what was asked, at `sha`. */
  describe(sha: string): string;
  /** Tells the requester within seconds that the job was taken; returns the check run id if one was created. */
  acknowledge(): Promise<number | null>;
  /**
   * The worker took the job: the requester sees it in progress (at `target`).
   * Returns the id of a check run the worker had to create itself (the
   * acknowledgement was lost), for the ledger.
   */
  start(target: Target): Promise<number | null>;
  /** The job's ending (or an early stop), where it was requested. */
  report(report: Report): Promise<void>;
  /** Whether an admission skip (disabled, superseded…) is shown to anyone: failures always are. */
  showsSkips(): boolean;
  /** A stop that landed before the job started, told where a reply in the thread does not already say it. */
  reportCancelledBeforeStart(by: string): Promise<void>;
  /** Whether the job is still worth running when a worker gets to it. */
  relevance(config: RepoConfig): Promise<Relevance>;
  /** The commit to work on and the branch the fix goes to. */
  target(): Promise<Target>;
  /** The requester's own words for the agent, if any. */
  request(target: Target): FixRequest["request"] | undefined;
  /** The failing run a fix's commit links to (its `Patchwright-Run:` trailer), when there is one. */
  readonly failingRunUrl: string | undefined;
  /**
   * The branch a verified fix is committed onto directly, and the commit it
   * must still be at (a same-repository pull request's own branch with
   * `pull_request_fixes: commit`); null: the fix is proposed as a pull request.
   * Never the default branch.
   */
  commitsOnto(config: RepoConfig): { branch: string; sha: string } | null;
  /** The branch a fix of `sha` is pushed to: always under `patchwright/`. */
  branchName(sha: string): string;
  /** The pull request's title, from the fix's one-line summary. */
  prTitle(summary: string): string;
}
