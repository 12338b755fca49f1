/**
 * A job's ledger as the job page shows it: the stages on a timeline, the
 * diagnosis, the candidates, the diff, the agents' trace and the spend.
 * Capped everywhere, so a job with a huge ledger still renders quickly.
 */
import {
  AGENT_EVENT,
  CandidateEntry,
  DeliverEntry,
  DiagnosisEntry,
  readAs,
  ReportEntry,
  SpendEntry,
  TraceEvent,
  type Candidate,
  type LedgerEntry,
} from "./ledger-entries.ts";
import { summarizeEntry, type Tone } from "./summarize-entry.ts";

/** The newest stage entries shown on the timeline. */
export const MAX_TIMELINE = 200;
/** The newest agent events shown in the trace. */
export const MAX_TRACE = 300;
/** Characters of diff shown. */
export const MAX_DIFF_CHARS = 200_000;

export interface TimelineRow {
  at: number;
  kind: string;
  text: string;
  tone: Tone;
}

export interface TraceRow {
  at: number;
  role: string;
  event: TraceEvent | { kind: string };
}

export interface Spend {
  calls: number;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  cachedPromptTokens: number;
  /** Some calls' usage was not reported by the endpoint and is estimated. */
  estimated: boolean;
  byRole: Map<string, { calls: number; tokens: number }>;
  /** Dollars, when the ledger records them. */
  costUsd?: number;
}

export interface JobLedgerView {
  /** When the first entry was written: timeline offsets count from it. */
  start: number | undefined;
  timeline: { rows: TimelineRow[]; total: number };
  diagnosis?: { status: string; summary: string };
  candidates: Candidate[];
  diff?: { text: string; omittedChars: number; source: string };
  trace: { rows: TraceRow[]; total: number };
  spend: Spend;
}

export function readJobLedger(ledger: readonly LedgerEntry[]): JobLedgerView {
  const stages = ledger.filter((e) => !AGENT_EVENT.test(e.kind));
  const agent = ledger.filter((e) => AGENT_EVENT.test(e.kind));
  const diagnosis = readAs(DiagnosisEntry, ledger.findLast((e) => e.kind === "diagnosis")?.data);
  const diff = diffOf(ledger);
  return {
    start: ledger[0]?.at,
    timeline: { rows: stages.slice(-MAX_TIMELINE).map((e) => ({ at: e.at, kind: e.kind, ...summarizeEntry(e) })), total: stages.length },
    ...(diagnosis ? { diagnosis: { status: diagnosis.status, summary: diagnosis.summary } } : {}),
    candidates: ledger.filter((e) => e.kind === "candidate").flatMap((e) => readAs(CandidateEntry, e.data) ?? []),
    ...(diff ? { diff } : {}),
    trace: { rows: agent.slice(-MAX_TRACE).map(traceRow), total: agent.length },
    spend: spendOf(ledger, agent),
  };
}

function traceRow(entry: LedgerEntry): TraceRow {
  const [, role = "agent", kind = "event"] = AGENT_EVENT.exec(entry.kind) ?? [];
  return { at: entry.at, role, event: readAs(TraceEvent, entry.data) ?? { kind } };
}

/** The delivered patch (`deliver` or `local.delivery`), else the best attempt a report folded in. */
function diffOf(ledger: readonly LedgerEntry[]): JobLedgerView["diff"] {
  let source = "the delivered fix";
  let text = ledger
    .filter((e) => e.kind === "deliver" || e.kind === "local.delivery")
    .map((e) => readAs(DeliverEntry, e.data)?.patch)
    .findLast((patch) => patch !== undefined && patch.length > 0);
  if (text === undefined) {
    const details = readAs(ReportEntry, ledger.findLast((e) => e.kind === "report")?.data)?.details;
    text = /```diff\n([\s\S]*?)```/.exec(details ?? "")?.[1];
    source = "the best attempt (not delivered)";
  }
  if (text === undefined) return undefined;
  if (text.length <= MAX_DIFF_CHARS) return { text, omittedChars: 0, source };
  // Cut at a line's end where there is one: a secret is redacted whole or not cut at all.
  const lineEnd = text.lastIndexOf("\n", MAX_DIFF_CHARS);
  const shown = text.slice(0, lineEnd > 0 ? lineEnd : MAX_DIFF_CHARS);
  return { text: shown, omittedChars: text.length - shown.length, source };
}

function spendOf(ledger: readonly LedgerEntry[], agent: readonly LedgerEntry[]): Spend {
  const spend: Spend = { calls: 0, promptTokens: 0, completionTokens: 0, reasoningTokens: 0, cachedPromptTokens: 0, estimated: false, byRole: new Map() };
  for (const entry of agent) {
    const row = traceRow(entry);
    if (row.event.kind !== "model_call" || !("promptTokens" in row.event)) continue;
    const call = row.event;
    spend.calls += 1;
    spend.promptTokens += call.promptTokens;
    spend.completionTokens += call.completionTokens;
    spend.reasoningTokens += call.reasoningTokens ?? 0;
    spend.cachedPromptTokens += call.cachedPromptTokens ?? 0;
    spend.estimated ||= call.usageEstimated === true;
    const role = spend.byRole.get(row.role) ?? { calls: 0, tokens: 0 };
    spend.byRole.set(row.role, { calls: role.calls + 1, tokens: role.tokens + call.promptTokens + call.completionTokens });
  }
  const dollars = ledger.filter((e) => !AGENT_EVENT.test(e.kind)).map((e) => readAs(SpendEntry, e.data)?.costUsd).findLast((usd) => usd !== undefined);
  if (dollars !== undefined) spend.costUsd = dollars;
  return spend;
}
