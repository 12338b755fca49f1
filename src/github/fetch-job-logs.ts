/**
 * The one fetcher of `evidence/`: the failed jobs of a workflow run and their
 * logs, from the GitHub REST API.
 *
 * The Octokit parameter is typed by the one method used, so any Octokit
 * (Probot's, `@octokit/core`, a test double) fits.
 */
import { z } from "zod";
import { PatchwrightError } from "../errors.ts";

/** The part of Octokit this module needs. */
export interface OctokitRequester {
  request(route: string, parameters?: Record<string, unknown>): Promise<{ data: unknown }>;
}

export interface JobStep {
  readonly name: string;
  readonly number: number;
  readonly conclusion: string | null;
}

export interface FailedJob {
  /** The job's id (also its check run id). */
  readonly id: number;
  readonly runId: number;
  /** `test (ubuntu-latest, 20)`: matrix entries are separate jobs. */
  readonly name: string;
  /** `failure` or `timed_out`. */
  readonly conclusion: string;
  /** The job's page on GitHub, when the API gives it. */
  readonly htmlUrl: string | undefined;
  readonly steps: readonly JobStep[];
  /** Names of the steps that failed (for a timed-out job, the step that was cut short). */
  readonly failedSteps: readonly string[];
}

/** Default cap on the bytes of one log read from GitHub; the tail is kept. */
export const DEFAULT_MAX_LOG_BYTES = 20 * 1024 * 1024;

const FAILED_CONCLUSIONS: ReadonlySet<string> = new Set(["failure", "timed_out"]);
const PER_PAGE = 100;
/** A run has at most a few hundred jobs (the matrix limit is 256); stop well past that. */
const MAX_PAGES = 20;

const JobsPage = z.object({
  total_count: z.number().int().nonnegative(),
  jobs: z.array(
    z.object({
      id: z.number().int(),
      run_id: z.number().int().optional(),
      name: z.string(),
      conclusion: z.string().nullable(),
      html_url: z.string().nullable().optional(),
      steps: z
        .array(z.object({ name: z.string(), number: z.number().int(), conclusion: z.string().nullable() }))
        .optional(),
    }),
  ),
});

function apiError(what: string, error: unknown): PatchwrightError {
  const status = typeof error === "object" && error !== null && "status" in error ? ` (HTTP ${String(error.status)})` : "";
  const detail = error instanceof Error ? `: ${error.message}` : "";
  return new PatchwrightError(
    "github_api",
    `${what} failed${status}${detail}. Check that the GitHub App has the "Actions: read" permission on the repository.`,
    { cause: error },
  );
}

/** Steps that failed; for a job that timed out, the one that was running. */
function failedStepsOf(conclusion: string, steps: readonly JobStep[]): string[] {
  const failed = steps.filter((s) => s.conclusion === "failure").map((s) => s.name);
  if (failed.length > 0 || conclusion !== "timed_out") return failed;
  return steps.filter((s) => s.conclusion === "cancelled").map((s) => s.name).slice(0, 1);
}

/**
 * The failed jobs of a workflow run (its latest attempt), matrix entries
 * included, with their failed steps. Pages through all the run's jobs.
 */
export async function fetchFailedJobs(
  octokit: OctokitRequester,
  { owner, repo, runId }: { owner: string; repo: string; runId: number },
): Promise<FailedJob[]> {
  const failed: FailedJob[] = [];
  let seen = 0;
  for (let page = 1; page <= MAX_PAGES; page++) {
    let data: unknown;
    try {
      ({ data } = await octokit.request("GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs", {
        owner,
        repo,
        run_id: runId,
        filter: "latest",
        per_page: PER_PAGE,
        page,
      }));
    } catch (error) {
      throw apiError(`Listing the jobs of workflow run ${runId} in ${owner}/${repo}`, error);
    }
    const parsed = JobsPage.safeParse(data);
    if (!parsed.success) {
      throw new PatchwrightError(
        "github_api",
        `GitHub answered the jobs of workflow run ${runId} in ${owner}/${repo} with an unexpected shape: ${parsed.error.message}`,
      );
    }
    for (const job of parsed.data.jobs) {
      if (job.conclusion === null || !FAILED_CONCLUSIONS.has(job.conclusion)) continue;
      const steps = job.steps ?? [];
      failed.push({
        id: job.id,
        runId: job.run_id ?? runId,
        name: job.name,
        conclusion: job.conclusion,
        htmlUrl: job.html_url ?? undefined,
        steps,
        failedSteps: failedStepsOf(job.conclusion, steps),
      });
    }
    seen += parsed.data.jobs.length;
    if (parsed.data.jobs.length < PER_PAGE || seen >= parsed.data.total_count) break;
  }
  return failed;
}

/** Keeps the last `maxBytes` of a byte stream, in bounded memory. */
async function readTail(stream: AsyncIterable<Uint8Array>, maxBytes: number): Promise<{ bytes: Uint8Array; dropped: number }> {
  const chunks: Uint8Array[] = [];
  let held = 0;
  let dropped = 0;
  for await (const chunk of stream) {
    chunks.push(chunk);
    held += chunk.byteLength;
    // Drop whole chunks from the head while the rest still covers the cap.
    while (chunks.length > 1 && held - (chunks[0]?.byteLength ?? 0) >= maxBytes) {
      const first = chunks.shift();
      held -= first?.byteLength ?? 0;
      dropped += first?.byteLength ?? 0;
    }
  }
  const all = Buffer.concat(chunks);
  if (all.byteLength <= maxBytes) return { bytes: all, dropped };
  return { bytes: all.subarray(all.byteLength - maxBytes), dropped: dropped + all.byteLength - maxBytes };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}

function decodeTail(bytes: Uint8Array, dropped: number): string {
  const text = new TextDecoder("utf-8").decode(bytes);
  if (dropped === 0) return text;
  // The cut fell anywhere: start at the next full line and say what is missing.
  const nl = text.indexOf("\n");
  return `[... first ${dropped + (nl >= 0 ? nl + 1 : 0)} bytes of the log not downloaded ...]\n${nl >= 0 ? text.slice(nl + 1) : text}`;
}

/**
 * The log of one job, as text. The API redirects to a short-lived download
 * URL, which Octokit's fetch follows; the body is streamed and only its last
 * `maxBytes` (default 20 MB) are kept: the end of a log is what explains it.
 */
export async function fetchJobLog(
  octokit: OctokitRequester,
  { owner, repo, jobId, maxBytes = DEFAULT_MAX_LOG_BYTES }: { owner: string; repo: string; jobId: number; maxBytes?: number },
): Promise<string> {
  let data: unknown;
  try {
    ({ data } = await octokit.request("GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs", {
      owner,
      repo,
      job_id: jobId,
      // Hand over the body as a stream, so a huge log is never held whole.
      request: { parseSuccessResponseBody: false },
    }));
  } catch (error) {
    throw apiError(`Downloading the log of job ${jobId} in ${owner}/${repo}`, error);
  }
  if (typeof data === "string") {
    const bytes = Buffer.from(data, "utf8");
    return bytes.byteLength <= maxBytes ? data : decodeTail(bytes.subarray(bytes.byteLength - maxBytes), bytes.byteLength - maxBytes);
  }
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const dropped = Math.max(0, bytes.byteLength - maxBytes);
    return decodeTail(bytes.subarray(dropped), dropped);
  }
  if (isAsyncIterable(data)) {
    try {
      const { bytes, dropped } = await readTail(data, maxBytes);
      return decodeTail(bytes, dropped);
    } catch (error) {
      throw apiError(`Reading the log of job ${jobId} in ${owner}/${repo}`, error);
    }
  }
  if (data === null || data === undefined) return "";
  throw new PatchwrightError("github_api", `GitHub answered the log of job ${jobId} in ${owner}/${repo} with an unexpected body.`);
}
