import { toOutcome } from "../errors.ts";
import { followCheckRun, type CheckRunProgress } from "../github/check-run-progress.ts";
import { JobCancelled, SHUTDOWN } from "../queue/job-cancelled.ts";
import type { JobKind, JobRecord, JobResult } from "../queue/job.ts";
import { createJobContext, DEFAULT_MAX_ATTEMPTS, JobEnd, type Ending, type JobContext } from "./job-context.ts";
import { createOrigin } from "./origins/create-origin.ts";
import type { PipelineDeps } from "./pipeline-deps.ts";
import { runBumpJob } from "./run-bump-job.ts";
import { runExplainJob } from "./run-explain-job.ts";
import { runFixJob } from "./run-fix-job.ts";

/** The stage list of each job kind. */
const RUNNERS: Readonly<Record<JobKind, (ctx: JobContext) => Promise<Ending>>> = {
  "fix-ci": runFixJob,
  "fix-issue": runFixJob,
  "bump-dependency": runBumpJob,
  explain: runExplainJob,
};

/**
 * The one frame every job goes through. It owns what every kind does alike:
 * the installation's GitHub, the ledger and the spend, reporting where the job
 * was requested (its origin), `/agent stop` and shutdown, the mapping of any
 * error to retry-or-report, and disposing of the workspaces. The kind's
 * runner is only its list of stages.
 */
export async function runJob(job: JobRecord, deps: PipelineDeps, signal: AbortSignal): Promise<JobResult> {
  const { payload } = job;
  const log = deps.log.child({ jobId: job.id, delivery: payload.deliveryId, repo: `${payload.repo.owner}/${payload.repo.name}`, kind: payload.kind });
  let ctx: (JobContext & { dispose(): Promise<void> }) | undefined;
  try {
    const repoGitHub = await deps.github(payload.installationId, payload.repo);
    // The origin opens or updates the job's check run; progress follows it there.
    const progress: CheckRunProgress | undefined =
      deps.progressEveryMs === undefined
        ? undefined
        : followCheckRun(repoGitHub.checks, { now: deps.now, minIntervalMs: deps.progressEveryMs, warn: (error) => log.warn({ err: error }, "could not show progress on the check run") });
    const github = progress ? { ...repoGitHub, checks: progress.checks } : repoGitHub;
    ctx = createJobContext({ job, deps, signal, github, origin: createOrigin(job, github, deps.ackIdOf ? { currentAckId: () => deps.ackIdOf!(job.id) } : {}), log, ...(progress ? { showProgress: progress.show } : {}) });
    const ending = await RUNNERS[payload.kind](ctx).catch((error: unknown) => {
      if (error instanceof JobEnd && !signal.aborted) return error.ending;
      throw error;
    });
    if (ending.report) {
      // A pull request already opened is the result; a report that cannot be written does not undo it.
      if (ending.result.state === "succeeded") await ctx.report(ending.report).catch((error: unknown) => log.warn({ err: error }, "could not report the result"));
      else await ctx.report(ending.report);
    }
    return ending.result;
  } catch (error) {
    if (signal.aborted) return stopped(signal, ctx);
    const outcome = toOutcome(error, job.attempts, ctx?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
    log.warn({ err: error, code: outcome.code, action: outcome.action }, "job stage failed");
    deps.ledger(job.id, "error", { code: outcome.code, message: deps.redact(outcome.message) });
    if (outcome.action === "retry") return { state: "retry", delayMs: 5_000 * 2 ** job.attempts, reason: outcome.message };
    await ctx
      ?.report({ conclusion: "failure", title: "Patchwright could not finish", summary: outcome.message })
      .catch((reportError: unknown) => log.error({ err: reportError }, "could not report the failure on GitHub"));
    return { state: "failed", summary: `${outcome.code}: ${outcome.message}` };
  } finally {
    await ctx?.dispose();
  }
}

/** `/agent stop` is reported and ends the job; a shutting-down worker puts it back. */
async function stopped(signal: AbortSignal, ctx: JobContext | undefined): Promise<JobResult> {
  if (!(signal.reason instanceof JobCancelled)) return { state: "retry", delayMs: 0, reason: SHUTDOWN };
  await ctx
    ?.report({ conclusion: "cancelled", title: "Stopped", summary: `Stopped by @${signal.reason.by} with \`/agent stop\`. Nothing was pushed.` })
    .catch((error: unknown) => ctx.log.error({ err: error }, "could not report the stop"));
  return { state: "cancelled", summary: signal.reason.message };
}
