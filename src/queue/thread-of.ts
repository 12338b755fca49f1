import type { JobPayload } from "./job.ts";

/**
 * The key of an issue or pull request thread: `owner/name#number`, as the
 * queue stores it (the indexed `thread` column) and looks it up.
 */
export function threadKey(repoFullName: string, number: number): string {
  return `${repoFullName}#${number}`;
}

/** The thread a job belongs to (its payload's `thread`), or null: a red default branch or an advisory has none. */
export function threadOf(payload: JobPayload): string | null {
  return payload.thread === undefined ? null : threadKey(`${payload.repo.owner}/${payload.repo.name}`, payload.thread);
}

/**
 * SQL giving a stored payload's thread key, for jobs written before payloads
 * carried `thread`: a command's issue number, else the pull request of a CI
 * failure; NULL for anything else.
 */
export const LEGACY_THREAD_SQL = `json_extract(payload, '$.repo.owner') || '/' || json_extract(payload, '$.repo.name') || '#' ||
  COALESCE(json_extract(payload, '$.thread'), json_extract(payload, '$.trigger.issueNumber'), json_extract(payload, '$.trigger.pullRequest.number'))`;
