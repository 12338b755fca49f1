/**
 * The buttons on Patchwright's check run (GitHub's requested actions). A press
 * arrives as `check_run.requested_action` with the identifier
 * (`webhooks/on-check-run-action.ts`). GitHub's limits: label ≤ 20
 * characters, description ≤ 40, identifier ≤ 20, at most three buttons.
 */
export interface CheckRunAction {
  label: string;
  description: string;
  identifier: CheckRunActionId;
}

export type CheckRunActionId = "retry" | "explain" | "stop";

export const RETRY_ACTION: CheckRunAction = { label: "Retry fix", description: "Run Patchwright again on this commit", identifier: "retry" };
export const EXPLAIN_ACTION: CheckRunAction = { label: "Explain", description: "Diagnose the failure, change nothing", identifier: "explain" };
export const STOP_ACTION: CheckRunAction = { label: "Stop", description: "Stop Patchwright's jobs on this commit", identifier: "stop" };

/** While a job works: all three. */
export const WORKING_ACTIONS: readonly CheckRunAction[] = [RETRY_ACTION, EXPLAIN_ACTION, STOP_ACTION];
/** Once it has ended: nothing left to stop. */
export const ENDED_ACTIONS: readonly CheckRunAction[] = [RETRY_ACTION, EXPLAIN_ACTION];

/** The identifier of a known button, or null. */
export function checkRunActionId(identifier: string | undefined): CheckRunActionId | null {
  return identifier === "retry" || identifier === "explain" || identifier === "stop" ? identifier : null;
}
