import type { RepoGitHub } from "../../github/repo-github.ts";
import type { JobRecord } from "../../queue/job.ts";
import { advisoryOrigin } from "./advisory.ts";
import { ciOrigin } from "./ci.ts";
import { commentOrigin } from "./comment.ts";
import { localOrigin } from "./local.ts";
import type { Origin } from "./origin.ts";
import { reviewOrigin } from "./review.ts";

/** The origin of a job: the one place that asks which trigger it came from. */
export function createOrigin(job: JobRecord, github: RepoGitHub): Origin {
  const trigger = job.payload.trigger;
  switch (trigger.type) {
    case "ci":
      return ciOrigin(job, trigger, github);
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
