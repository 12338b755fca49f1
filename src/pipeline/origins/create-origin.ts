import type { RepoGitHub } from "../../github/repo-github.ts";
import type { JobRecord } from "../../queue/job.ts";
import { advisoryOrigin } from "./advisory.ts";
import { ciOrigin } from "./ci.ts";
import { commentOrigin } from "./comment.ts";
import { localOrigin } from "./local.ts";
import type { Origin } from "./origin.ts";
import { reviewOrigin } from "./review.ts";

/**
 * The origin of a job: the one place that asks which trigger it came from.
 * `currentAckId` reads the job's acknowledgement id from the store when the
 * job starts (it may have been made after the lease).
 */
export function createOrigin(job: JobRecord, github: RepoGitHub, options: { currentAckId?: () => Promise<number | null> } = {}): Origin {
  const trigger = job.payload.trigger;
  switch (trigger.type) {
    case "ci":
      return ciOrigin(job, trigger, github, options.currentAckId);
    case "comment":
      return commentOrigin(job, trigger, github);
    case "review":
      return reviewOrigin(job, trigger, github);
    case "advisory":
      return advisoryOrigin(job, trigger, github);
    case "local":
      return localOrigin(job, trigger, github);
  }
}
