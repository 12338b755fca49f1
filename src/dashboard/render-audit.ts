import { externalLink, html, type Html } from "./html.ts";
import type { AuditView, CommandRun } from "./read-audit.ts";

const NOT_RECORDED = html`<span class="muted">not recorded</span>`;

/** Who asked, what was allowed and denied, what ran, what was written back. */
export function renderAudit(audit: AuditView): Html {
  return html`<dl class="facts">
<dt>Delivery id</dt><dd><code>${audit.deliveryId}</code></dd>
<dt>Requested by</dt><dd>${audit.actor}</dd>
<dt>Permission</dt><dd>${audit.permissions.length === 0 ? NOT_RECORDED : lines(audit.permissions)}</dd>
<dt>Check run</dt><dd>${audit.checkRunId ?? NOT_RECORDED}</dd>
<dt>Denied</dt><dd>${audit.denials.length === 0 ? html`<span class="muted">nothing</span>` : lines(audit.denials)}</dd>
<dt>Errors</dt><dd>${audit.errors.length === 0 ? html`<span class="muted">none</span>` : lines(audit.errors.map((e) => `${e.code}: ${e.message}`))}</dd>
<dt>Reports</dt><dd>${audit.reports.length === 0 ? html`<span class="muted">none</span>` : html`<ul>${audit.reports.map((r) => html`<li>${r.conclusion}: ${r.title}${r.url ? html` (${externalLink(r.url)})` : null}</li>`)}</ul>`}</dd>
<dt>Delivered</dt><dd>${audit.deliveries.length === 0 ? html`<span class="muted">nothing</span>` : html`<ul>${audit.deliveries.map(delivery)}</ul>`}</dd>
</dl>
<h3>Commands run</h3>${commands(audit.commands)}`;
}

function lines(items: readonly string[]): Html {
  return html`<ul>${items.map((item) => html`<li>${item}</li>`)}</ul>`;
}

function delivery(d: AuditView["deliveries"][number]): Html {
  return html`<li>${d.url ? externalLink(d.url) : null}${d.branch ? html` branch <code>${d.branch}</code>` : null}${d.sha ? html` at <code>${d.sha.slice(0, 12)}</code>` : null}</li>`;
}

function commands({ rows, total }: AuditView["commands"]): Html {
  if (total === 0) return html`<p class="muted">None recorded.</p>`;
  return html`${total > rows.length ? html`<p class="muted">The last ${rows.length} of ${total} commands.</p>` : null}
<table class="commands"><thead><tr><th>By</th><th>Command</th><th>Exit</th></tr></thead><tbody>${rows.map(commandRow)}</tbody></table>`;
}

function commandRow(c: CommandRun): Html {
  const exit = c.exitCode ?? (c.ok === undefined ? "–" : c.ok ? "ran" : "not run");
  return html`<tr><td>${c.by}</td><td class="mono">${c.command}</td><td class="num">${exit}</td></tr>`;
}
