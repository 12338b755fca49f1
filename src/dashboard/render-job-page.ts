import type { JobRecord } from "../queue/job.ts";
import { describeTrigger } from "./describe-trigger.ts";
import { clipped, formatTime, html, type Html } from "./html.ts";
import { stateBadge } from "./layout.ts";
import type { LedgerEntry } from "./ledger-entries.ts";
import { readAudit } from "./read-audit.ts";
import { readJobLedger } from "./read-job-ledger.ts";
import { renderAudit } from "./render-audit.ts";
import { renderCandidates, renderDiagnosis, renderDiff, renderTimeline } from "./render-job-sections.ts";
import { renderSpend, renderTrace } from "./render-trace.ts";

/** The newest ledger entries shown raw, and how much of each. */
const RAW_ENTRIES = 50;
const RAW_ENTRY_CHARS = 2_000;

/** What the Stop button came to, shown once after its redirect. */
export type StopNotice = "cancelled" | "flagged" | "finished";

/** A job's page (its record and ledger already redacted): facts, Stop, then each section. */
export function renderJobPage(args: { job: JobRecord; ledger: readonly LedgerEntry[]; csrf: string; notice?: StopNotice }): Html {
  const { job, ledger } = args;
  const view = readJobLedger(ledger);
  return html`<h1>Job #${job.id} · ${job.payload.kind} · ${job.payload.repo.owner}/${job.payload.repo.name} ${stateBadge(job.state)}</h1>
${args.notice === undefined ? null : html`<p class="note" id="notice">${NOTICES[args.notice]}</p>`}
${facts(job)}
${job.state === "queued" || job.state === "running" ? stopForm(job.id, args.csrf) : null}
<h2 id="timeline">Timeline</h2>${renderTimeline(view)}
<div class="columns"><section><h2 id="diagnosis">Diagnosis</h2>${renderDiagnosis(view)}</section>
<section><h2 id="cost">Cost</h2>${renderSpend(view.spend)}</section></div>
<h2 id="candidates">Candidates</h2>${renderCandidates(view)}
<h2 id="diff">Diff</h2>${renderDiff(view)}
<h2 id="trace">Trace</h2>${renderTrace(view)}
<h2 id="audit">Audit</h2>${renderAudit(readAudit(job.payload, ledger))}
<h2 id="ledger">Ledger</h2>${rawLedger(ledger)}`;
}

const NOTICES: Readonly<Record<StopNotice, string>> = {
  cancelled: "Stopped: the job was waiting and is now cancelled.",
  flagged: "Stop requested: the worker running the job aborts it within a second or so; reload to see it end.",
  finished: "Nothing to stop: the job had already finished.",
};

function facts(job: JobRecord): Html {
  return html`<dl class="facts">
<dt>Trigger</dt><dd>${describeTrigger(job.payload)}</dd>
<dt>Attempts</dt><dd>${job.attempts}</dd>
<dt>Created</dt><dd>${formatTime(job.createdAt)}</dd>
<dt>Updated</dt><dd>${formatTime(job.updatedAt)}</dd>
<dt>Result</dt><dd>${job.result ?? html`<span class="muted">none yet</span>`}</dd>
</dl>`;
}

function stopForm(id: number, csrf: string): Html {
  return html`<form method="post" action="/patchwright/jobs/${id}/stop" class="stop">
<input type="hidden" name="csrf" value="${csrf}"><p><button type="submit" class="danger" id="stop">Stop this job</button></p></form>`;
}

function rawLedger(ledger: readonly LedgerEntry[]): Html {
  if (ledger.length === 0) return html`<p class="muted">The ledger is empty: the job has not started.</p>`;
  const shown = ledger.slice(-RAW_ENTRIES);
  const lines = shown.map((e) => html`${formatTime(e.at)} ${e.kind} ${clipped(JSON.stringify(e.data ?? null), RAW_ENTRY_CHARS)}\n`);
  return html`<details><summary>Every entry as stored (the last ${shown.length} of ${ledger.length})</summary><pre>${lines}</pre></details>`;
}
