import type { Octokit } from "../github/types.ts";
import type { JobRecord } from "../queue/job.ts";
import type { JobQueue } from "../queue/sqlite-queue.ts";
import type { Redactor } from "../security/redact.ts";
import type { BackgroundTasks } from "./background-tasks.ts";

/** What webhook handlers may touch: the queue, and writes deferred past the response. */
export interface WebhookDeps {
  queue: JobQueue;
  tasks: BackgroundTasks;
  /** Applied to every reply the handlers post. */
  redact: Redactor;
  /** How long a new CI job waits for sibling failures of the same commit. */
  coalesceMs: number;
  /** This app's id: its own check runs are never a reason to act. */
  appId: number;
  /**
   * This app's bot user, `slug[bot]` (cached): a person's pull request one of
   * whose commits it committed with a `Patchwright-Run:` trailer is iterated
   * on like the app's own. Asked for only once such a pull request is reviewed.
   */
  appLogin(): Promise<string>;
  /** Tells GitHub that a job that had not started yet was stopped (run in the background). */
  reportCancelled(octokit: Octokit, job: JobRecord, by: string): Promise<void>;
  /**
   * Acknowledges a new job on GitHub (run in the background, with an Octokit
   * of the job's installation made then). The job only: an acknowledgement
   * waiting its turn behind GitHub's write pacing must not hold on to its
   * delivery's Octokit, thousands of them under a burst of red builds.
   */
  acknowledge(job: JobRecord): Promise<void>;
}
