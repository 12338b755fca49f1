import type { FailureSource } from "./job.ts";

/**
 * What makes two reports the same red signal: the same workflow run, check
 * run or status context (a status's description changes between reports).
 */
export function failureSourceIdentity(source: FailureSource): string {
  switch (source.type) {
    case "workflow_run":
      return `workflow_run:${source.runId}`;
    case "check_run":
      return `check_run:${source.checkRunId}`;
    case "status":
      return `status:${source.context}`;
  }
}

/** The same identity, computed by SQLite over a stored source (`json_each` value `s.value`). */
export const FAILURE_SOURCE_IDENTITY_SQL = `json_extract(s.value, '$.type') || ':' || CASE json_extract(s.value, '$.type')
  WHEN 'workflow_run' THEN json_extract(s.value, '$.runId')
  WHEN 'check_run' THEN json_extract(s.value, '$.checkRunId')
  ELSE json_extract(s.value, '$.context') END`;
