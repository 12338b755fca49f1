import type { JobRecord } from "../queue/job.ts";
import { describeTrigger } from "./describe-trigger.ts";
import { clipped, formatTime, html, type Html } from "./html.ts";
import { JOB_KINDS, JOB_STATES, type JobsFilter } from "./jobs-filter.ts";
import { stateBadge } from "./layout.ts";

/** Characters of a job's result shown in the table. */
const RESULT_CHARS = 140;

/** The jobs list: the filter form, then one row per job (already filtered, newest first, redacted). */
export function renderJobsPage(args: { jobs: readonly JobRecord[]; total: number; filter: JobsFilter; problem?: string }): Html {
  const { jobs, total, filter } = args;
  const shown = jobs.length < total ? html`<p class="muted">Showing the newest ${jobs.length} of ${total} matching jobs; raise the limit to see more.</p>` : null;
  return html`<h1>Jobs</h1>
${filterForm(filter)}
${args.problem === undefined ? null : html`<p class="error">${args.problem}</p>`}
${jobs.length === 0 ? html`<p class="muted">No jobs match.</p>` : jobsTable(jobs)}
${shown}`;
}

function filterForm(filter: JobsFilter): Html {
  const options = (values: readonly string[], selected: string | undefined) =>
    values.map((value) => html`<option value="${value}"${value === selected ? html` selected` : null}>${value}</option>`);
  return html`<form class="filters" method="get" action="/patchwright/jobs">
<label>State<select name="state"><option value="">any</option>${options(JOB_STATES, filter.state)}</select></label>
<label>Kind<select name="kind"><option value="">any</option>${options(JOB_KINDS, filter.kind)}</select></label>
<label>Repository<input name="repo" placeholder="owner/name" value="${filter.repo ?? ""}"></label>
<label>Limit<input name="limit" type="number" min="1" max="1000" value="${filter.limit}"></label>
<button type="submit">Filter</button> <a href="/patchwright/jobs">Clear</a>
</form>`;
}

function jobsTable(jobs: readonly JobRecord[]): Html {
  return html`<table class="jobs"><thead><tr>
<th>Id</th><th>Repository</th><th>Kind</th><th>Trigger</th><th>State</th><th>Attempts</th><th>Created</th><th>Updated</th><th>Result</th>
</tr></thead><tbody>${jobs.map(jobRow)}</tbody></table>`;
}

function jobRow(job: JobRecord): Html {
  const { payload } = job;
  return html`<tr data-job="${job.id}">
<td class="num"><a href="/patchwright/jobs/${job.id}">#${job.id}</a></td>
<td>${payload.repo.owner}/${payload.repo.name}</td>
<td class="kind">${payload.kind}</td>
<td>${describeTrigger(payload)}</td>
<td>${stateBadge(job.state)}</td>
<td class="num">${job.attempts}</td>
<td class="when">${formatTime(job.createdAt)}</td>
<td class="when">${formatTime(job.updatedAt)}</td>
<td>${clipped(job.result ?? "", RESULT_CHARS)}</td>
</tr>`;
}
