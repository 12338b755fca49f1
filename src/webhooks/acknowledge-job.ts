import type { JobRecord } from "../queue/job.ts";
import type { JobQueue } from "../queue/job-queue.ts";

/**
 * A webhook's acknowledgement (the job's check run, "Queued"), run after the
 * response. Under a burst it may run late: by then a worker may have leased
 * the job and shown it started on its own check run, or the job may have
 * ended. It acknowledges only a job still waiting and not acknowledged yet,
 * so nobody sees two check runs for one job.
 * @param open opens the check run; its id, or null when the job's origin has none.
 */
export async function acknowledgeJob(queue: JobQueue, job: JobRecord, open: (job: JobRecord) => Promise<number | null>): Promise<void> {
  const current = await queue.get(job.id);
  if (current === null || current.state !== "queued" || current.ackId !== null) return;
  const id = await open(current);
  if (id !== null) await queue.setAck(job.id, id);
}
