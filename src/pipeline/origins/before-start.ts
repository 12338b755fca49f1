import type { JobRecord } from "../../queue/job.ts";

/**
 * What a job's trigger says before any worker runs it, without GitHub: for
 * speculative work on a waiting job, and for its acknowledgement.
 */

/** The commit the job will check out when its trigger names it (a red build); null when it is read as the job starts (a command, an advisory). */
export function commitKnownBeforeStart(job: JobRecord): string | null {
  const { trigger } = job.payload;
  return trigger.type === "ci" ? trigger.headSha : null;
}

/**
 * Whether a job that started without its acknowledgement made one of its own:
 * a red build's worker opens the check run itself (`ci.ts`, `start`), so a
 * late acknowledgement would be a second one. A command's reaction is never
 * made by the job, so it is still added late.
 */
export function acknowledgedByItsStart(job: JobRecord): boolean {
  return job.payload.trigger.type === "ci";
}
