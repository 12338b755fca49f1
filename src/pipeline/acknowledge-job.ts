import type { JobRecord } from "../queue/job.ts";
import type { JobQueue } from "../queue/job-queue.ts";
import { acknowledgedByItsStart } from "./origins/before-start.ts";

/**
 * A webhook's acknowledgement (a red build's check run, "Queued"; a command's
 * reaction), run after the response. Under a burst it may run late: by then
 * a worker may have leased a red build's job and opened its check run
 * itself, or the job may have ended. A job acknowledged already, or one
 * whose start made its own acknowledgement, is left alone, so nobody sees
 * two check runs for one job.
 * @param open opens the check run; its id, or null when the job's origin has none.
 */
export async function acknowledgeJob(queue: JobQueue, job: JobRecord, open: (job: JobRecord) => Promise<number | null>): Promise<void> {
  const current = await queue.get(job.id);
  if (current === null || current.ackId !== null) return;
  if (current.state !== "queued" && acknowledgedByItsStart(current)) return;
  const id = await open(current);
  if (id !== null) await queue.setAck(job.id, id);
}
