import type { JobKind, JobRecord, JobState } from "../queue/job.ts";

// Records, so that a new state or kind that is not listed here fails the typecheck.
const STATES: Readonly<Record<JobState, true>> = { queued: true, running: true, succeeded: true, failed: true, skipped: true, cancelled: true };
const KINDS: Readonly<Record<JobKind, true>> = { "fix-ci": true, "fix-issue": true, "bump-dependency": true, explain: true };
export const JOB_STATES = Object.keys(STATES) as JobState[];
export const JOB_KINDS = Object.keys(KINDS) as JobKind[];

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

/** What the jobs list shows, from its query string (`?state=&kind=&repo=owner/name&limit=`). */
export interface JobsFilter {
  state?: JobState;
  kind?: JobKind;
  /** `owner/name`, compared without case (GitHub names ignore it). */
  repo?: string;
  limit: number;
}

/** The filter of a query string, or the problem with it in words for the operator. */
export function parseJobsFilter(query: URLSearchParams): { ok: true; filter: JobsFilter } | { ok: false; problem: string } {
  const filter: JobsFilter = { limit: DEFAULT_LIMIT };
  const state = query.get("state") || undefined;
  const kind = query.get("kind") || undefined;
  const repo = query.get("repo")?.trim() || undefined;
  const limit = query.get("limit") || undefined;
  if (state !== undefined) {
    if (!Object.hasOwn(STATES, state)) return { ok: false, problem: `Unknown state: use one of ${JOB_STATES.join(", ")}.` };
    filter.state = state as JobState;
  }
  if (kind !== undefined) {
    if (!Object.hasOwn(KINDS, kind)) return { ok: false, problem: `Unknown kind: use one of ${JOB_KINDS.join(", ")}.` };
    filter.kind = kind as JobKind;
  }
  if (repo !== undefined) {
    if (!/^[^/\s]+\/[^/\s]+$/.test(repo)) return { ok: false, problem: "The repository filter takes owner/name." };
    filter.repo = repo.toLowerCase();
  }
  if (limit !== undefined) {
    if (!/^\d{1,4}$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_LIMIT) return { ok: false, problem: `The limit is a number from 1 to ${MAX_LIMIT}.` };
    filter.limit = Number(limit);
  }
  return { ok: true, filter };
}

/** The jobs `filter` selects, newest first, at most `filter.limit`; `total` counts all that matched. */
export function applyJobsFilter(jobs: readonly JobRecord[], filter: JobsFilter): { jobs: JobRecord[]; total: number } {
  const matching = jobs.filter(
    (job) =>
      (filter.state === undefined || job.state === filter.state) &&
      (filter.kind === undefined || job.payload.kind === filter.kind) &&
      (filter.repo === undefined || `${job.payload.repo.owner}/${job.payload.repo.name}`.toLowerCase() === filter.repo),
  );
  matching.sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
  return { jobs: matching.slice(0, filter.limit), total: matching.length };
}
