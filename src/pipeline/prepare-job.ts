import type { JobRecord } from "../queue/job.ts";
import { commitKnownBeforeStart } from "./origins/before-start.ts";
import type { PipelineDeps } from "./pipeline-deps.ts";

/**
 * Speculative work for a job still waiting out its coalescing window: the
 * red commit is fetched into the repository's mirror, so the job's workspace
 * opens from it without waiting for GitHub. Only a CI job names its commit
 * before it runs (a command's commit is read when the job starts). Before
 * the job is admitted nothing may show on GitHub or spend model tokens: this
 * mints an installation token and fetches, nothing else, and a job later
 * skipped or superseded leaves only a commit in a cache.
 */
export async function prepareJob(job: JobRecord, deps: Pick<PipelineDeps, "mintToken" | "prefetch" | "log">): Promise<void> {
  const { payload } = job;
  const sha = commitKnownBeforeStart(job);
  if (sha === null || deps.prefetch === undefined) return;
  const minted = await deps.mintToken(payload.installationId, payload.repo.name);
  const token = typeof minted === "string" ? minted : minted.token;
  const started = Date.now();
  const fetched = await deps.prefetch({ cloneUrl: payload.repo.cloneUrl, sha, token, installationId: payload.installationId });
  deps.log.debug({ jobId: job.id, fetched, ms: Date.now() - started }, "prepared a waiting job: its commit is in the mirror");
}
