import { clipped, html, type Html } from "./html.ts";

/** Characters of a timeline line. */
const LINE_CHARS = 240;
import type { JobLedgerView } from "./read-job-ledger.ts";

/** `+m:ss.s` since the job's first ledger entry. */
export function offset(at: number, start: number | undefined): string {
  const s = Math.max(0, at - (start ?? at)) / 1000;
  return `+${Math.floor(s / 60)}:${(s % 60).toFixed(1).padStart(4, "0")}`;
}

/** Each stage's ledger entry in order, with a marker for how it went. */
export function renderTimeline(view: JobLedgerView): Html {
  const { rows, total } = view.timeline;
  if (total === 0) return html`<p class="muted">Nothing recorded yet.</p>`;
  return html`${total > rows.length ? html`<p class="muted">The last ${rows.length} of ${total} entries.</p>` : null}
<ol class="timeline">${rows.map(
    (row) => html`<li class="${row.tone}"><span class="at">${offset(row.at, view.start)}</span> <span class="kind">${row.kind}</span> ${clipped(row.text, LINE_CHARS)}</li>`,
  )}</ol>`;
}

export function renderDiagnosis(view: JobLedgerView): Html {
  if (!view.diagnosis) return html`<p class="muted">No diagnosis recorded (no investigator ran, or not yet).</p>`;
  return html`<p>Status: <strong>${view.diagnosis.status}</strong></p><pre class="diagnosis">${view.diagnosis.summary || "(empty)"}</pre>`;
}

/** One row per candidate: what the verifier said, and its objections (policy and tests). */
export function renderCandidates(view: JobLedgerView): Html {
  if (view.candidates.length === 0) return html`<p class="muted">No candidate was verified.</p>`;
  return html`<table><thead><tr><th>#</th><th>Status</th><th>Verified</th><th>Changed lines</th><th>Problems</th><th>Verify time</th></tr></thead><tbody>${view.candidates.map(
    (c) => html`<tr><td class="num">${c.index}</td><td>${c.status}</td><td>${c.passed ? "passed" : "not passed"}</td>
<td class="num">${c.changedLines ?? "–"}</td><td>${c.problems.length === 0 ? "–" : html`<ul>${c.problems.map((p) => html`<li>${p}</li>`)}</ul>`}</td>
<td class="num">${c.verifyMs === undefined ? "–" : `${(c.verifyMs / 1000).toFixed(1)} s`}</td></tr>`,
  )}</tbody></table>`;
}

/** The patch, escaped line by line, with added and removed lines marked. */
export function renderDiff(view: JobLedgerView): Html {
  const { diff } = view;
  if (!diff) return html`<p class="muted">No diff in the store.</p>`;
  const lines = diff.text.split("\n").map((line) => html`<span class="${lineClass(line)}">${line}</span>\n`);
  return html`<p class="muted">From ${diff.source}.</p><pre class="diff">${lines}</pre>
${diff.omittedChars > 0 ? html`<p class="note">The diff is cut here: ${diff.omittedChars} more characters are in the store (<code>patchwright replay --json JOB-ID</code> prints all of it).</p>` : null}`;
}

function lineClass(line: string): string {
  if (line.startsWith("@@")) return "hunk";
  if (line.startsWith("+") && !line.startsWith("+++")) return "add";
  if (line.startsWith("-") && !line.startsWith("---")) return "del";
  return "ctx";
}
