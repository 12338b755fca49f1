import { clipped, html, type Html } from "./html.ts";
import type { JobLedgerView, Spend, TraceRow } from "./read-job-ledger.ts";
import { offset } from "./render-job-sections.ts";

/** Characters of the model's text and of a tool's arguments and result shown per event. */
const TEXT_CHARS = 1_200;
const ARGS_CHARS = 400;

/** The agents' events, newest last: model calls (tokens, what it said, tools it asked for) and tool calls. */
export function renderTrace(view: JobLedgerView): Html {
  const { rows, total } = view.trace;
  if (total === 0) return html`<p class="muted">No agent ran.</p>`;
  return html`${total > rows.length ? html`<p class="muted">The last ${rows.length} of ${total} events.</p>` : null}
<table class="trace"><thead><tr><th>At</th><th>Role</th><th>Turn</th><th>Event</th><th>Detail</th></tr></thead><tbody>${rows.map((row) => traceRow(row, view.start))}</tbody></table>`;
}

function traceRow(row: TraceRow, start: number | undefined): Html {
  const { event } = row;
  const turn = "turn" in event ? event.turn : undefined;
  return html`<tr><td class="when">${offset(row.at, start)}</td><td>${row.role}</td><td class="num">${turn ?? "–"}</td><td>${event.kind}</td><td>${detail(event)}</td></tr>`;
}

function detail(event: TraceRow["event"]): Html {
  if ("promptTokens" in event) {
    const said = event.text ? html`<pre>${clipped(event.text, TEXT_CHARS)}</pre>` : null;
    return html`${event.promptTokens} + ${event.completionTokens} tokens${event.latencyMs === undefined ? "" : `, ${event.latencyMs} ms`}${
      event.toolCalls.length > 0 ? html` → <code>${event.toolCalls.join(", ")}</code>` : null
    }${said}`;
  }
  if ("name" in event) {
    return html`${event.ok ? "✓" : "✗"} <code>${event.name}</code> <code>${clipped(event.args, ARGS_CHARS)}</code><pre>${clipped(event.result, TEXT_CHARS)}</pre>`;
  }
  if ("message" in event) return clipped(event.message, TEXT_CHARS);
  return html`<span class="muted">(an entry this version cannot read; see the ledger below)</span>`;
}

/** Tokens from the model calls in the trace, per role; dollars when the ledger records them. */
export function renderSpend(spend: Spend): Html {
  if (spend.calls === 0 && spend.costUsd === undefined) return html`<p class="muted">No model calls recorded.</p>`;
  const total = spend.promptTokens + spend.completionTokens;
  return html`<dl class="facts">
<dt>Model calls</dt><dd>${spend.calls}</dd>
<dt>Tokens</dt><dd>${total.toLocaleString("en-US")} (${spend.promptTokens.toLocaleString("en-US")} prompt, ${spend.completionTokens.toLocaleString("en-US")} completion${
    spend.reasoningTokens > 0 ? `, of which ${spend.reasoningTokens.toLocaleString("en-US")} reasoning` : ""
  }${spend.cachedPromptTokens > 0 ? `, ${spend.cachedPromptTokens.toLocaleString("en-US")} prompt tokens cached` : ""})${spend.estimated ? " (partly estimated)" : ""}</dd>
<dt>Cost</dt><dd>${spend.costUsd === undefined ? html`<span class="muted">not recorded in the ledger</span>` : `$${spend.costUsd.toFixed(4)}`}</dd>
${[...spend.byRole].map(([role, r]) => html`<dt>${role}</dt><dd>${r.calls} ${r.calls === 1 ? "call" : "calls"}, ${r.tokens.toLocaleString("en-US")} tokens</dd>`)}
</dl>`;
}
