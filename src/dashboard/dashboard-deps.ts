import type { JobQueue } from "../queue/job-queue.ts";
import type { Redactor } from "../security/redact.ts";

/** What the dashboard needs: the queue (read, and stop), the operator token, and the redactor. */
export interface DashboardDeps {
  /** Every call is awaited. */
  readonly queue: Pick<JobQueue, "list" | "get" | "ledger" | "requestCancel">;
  /** `PATCHWRIGHT_OPERATOR_TOKEN`; unset (or empty): the dashboard answers 404 saying to set it. */
  readonly operatorToken: string | undefined;
  /** Applied to every piece of text a page shows (job records, ledger data, traces), before it is cut and escaped. */
  readonly redact: Redactor;
  readonly now?: () => number;
}
