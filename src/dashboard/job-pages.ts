import type { ServerResponse } from "node:http";
import type { DashboardDeps } from "./dashboard-deps.ts";
import { html, type Html } from "./html.ts";
import { applyJobsFilter, DEFAULT_LIMIT, parseJobsFilter } from "./jobs-filter.ts";
import { layout } from "./layout.ts";
import type { LedgerEntry } from "./ledger-entries.ts";
import type { Operator } from "./operator-auth.ts";
import { renderJobPage, type StopNotice } from "./render-job-page.ts";
import { renderJobsPage } from "./render-jobs-page.ts";
import { redirect, sendPage } from "./send-response.ts";

/** A page in the frame; forms carry the CSRF token, and only a session gets a sign-out button. */
function send(deps: DashboardDeps, res: ServerResponse, status: number, title: string, body: Html, operator: Operator): void {
  sendPage(res, status, layout(title, body, operator.via === "session" ? { csrf: operator.csrf } : {}), deps.redact);
}

/** `/patchwright/jobs?state=&kind=&repo=&limit=`: newest first. */
export async function showJobs(deps: DashboardDeps, res: ServerResponse, query: URLSearchParams, operator: Operator): Promise<void> {
  const parsed = parseJobsFilter(query);
  if (!parsed.ok) return send(deps, res, 400, "Jobs", renderJobsPage({ jobs: [], total: 0, filter: { limit: DEFAULT_LIMIT }, problem: parsed.problem }), operator);
  const { jobs, total } = applyJobsFilter(await deps.queue.list(), parsed.filter);
  send(deps, res, 200, "Jobs", renderJobsPage({ jobs, total, filter: parsed.filter }), operator);
}

const NOTICES: readonly StopNotice[] = ["cancelled", "flagged", "finished"];

/** `/patchwright/jobs/:id`. */
export async function showJob(deps: DashboardDeps, res: ServerResponse, id: number, query: URLSearchParams, operator: Operator): Promise<void> {
  const job = await deps.queue.get(id);
  if (!job) return notFound(deps, res, operator, `There is no job #${id}.`);
  const ledger: LedgerEntry[] = await deps.queue.ledger(id);
  const notice = NOTICES.find((n) => n === query.get("stop"));
  send(deps, res, 200, `Job #${id}`, renderJobPage({ job, ledger, csrf: operator.csrf, ...(notice ? { notice } : {}) }), operator);
}

/** `POST /patchwright/jobs/:id/stop` (origin and CSRF already checked): a queued job is cancelled, a running one flagged for its worker. */
export async function stopJob(deps: DashboardDeps, res: ServerResponse, id: number, operator: Operator): Promise<void> {
  if (!(await deps.queue.get(id))) return notFound(deps, res, operator, `There is no job #${id}.`);
  const { cancelled, flagged } = await deps.queue.requestCancel([id], "operator");
  const notice: StopNotice = cancelled.length > 0 ? "cancelled" : flagged.length > 0 ? "flagged" : "finished";
  redirect(res, `/patchwright/jobs/${id}?stop=${notice}`);
}

export function notFound(deps: DashboardDeps, res: ServerResponse, operator: Operator, message: string): void {
  send(deps, res, 404, "Not found", html`<h1>Not found</h1><p>${message}</p><p><a href="/patchwright/jobs">All jobs</a></p>`, operator);
}
