import type { JobQueue } from "../queue/job-queue.ts";

/**
 * The permission decision that let a person's request become a job, in the
 * job's ledger for its audit (the dashboard shows it): who asked, through
 * which delivery, and what GitHub said of their access.
 */
export async function recordPermission(queue: Pick<JobQueue, "appendLedger">, jobId: number, who: { actor: string; delivery: string; via: string }): Promise<void> {
  await queue.appendLedger(jobId, "permission", { ...who, decision: "allowed: write access to the repository (checked with GitHub)" });
}
