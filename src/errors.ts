/**
 * Typed errors. Every failure that crosses a module boundary is a
 * `PatchwrightError` with a stable `code`; `message` is for people and says
 * what to do. One mapper (`toOutcome`) turns any error into what the job does
 * next, so retry policy lives in one place.
 */

export type ErrorCode =
  | "config_invalid" // .github/patchwright.yml does not match the schema
  | "env_invalid" // process environment does not match the schema
  | "sandbox_unavailable" // bubblewrap missing or unusable
  | "clone_failed"
  | "push_failed"
  | "push_rejected" // the branch exists with other commits (never overwritten)
  | "github_api" // a GitHub API call failed
  | "model_api" // the model endpoint failed
  | "no_test_command" // nothing to reproduce with
  | "not_reproducible" // a red build that is green here
  | "budget_exhausted" // turns/tokens ran out before a verified fix
  | "verification_failed" // the agent finished but the tests are still red
  | "policy_violation" // the diff or a command broke repository policy
  | "cancelled"
  | "lease_lost" // the worker that held the job died
  | "internal";

const RETRYABLE: ReadonlySet<ErrorCode> = new Set(["github_api", "model_api", "clone_failed", "push_failed"]);

export class PatchwrightError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  override readonly cause?: unknown;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message);
    this.name = "PatchwrightError";
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE.has(code);
    if (options.cause !== undefined) this.cause = options.cause;
  }
}

export type Outcome =
  | { action: "retry"; code: ErrorCode; message: string }
  | { action: "report"; code: ErrorCode; message: string };

/** The one place that decides what a failure means for a job. */
export function toOutcome(error: unknown, attempt: number, maxAttempts: number): Outcome {
  const err = normalize(error);
  if (err.retryable && attempt < maxAttempts) return { action: "retry", code: err.code, message: err.message };
  return { action: "report", code: err.code, message: err.message };
}

function normalize(error: unknown): PatchwrightError {
  if (error instanceof PatchwrightError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === "number") {
    // An HTTP error from GitHub's API (Octokit's RequestError): 5xx and rate limits are worth retrying.
    const retryable = status >= 500 || status === 429;
    const request = (error as { request?: { method?: string; url?: string } }).request;
    const where = request?.method && request.url ? ` (${request.method} ${request.url.split("?")[0]})` : "";
    return new PatchwrightError("github_api", `GitHub API error ${status}${where}: ${message}`, { cause: error, retryable });
  }
  return new PatchwrightError("internal", message, { cause: error });
}
