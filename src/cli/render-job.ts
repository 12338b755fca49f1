/**
 * A finished job as text, from the store alone: what triggered it, its
 * timeline (one line per ledger entry), its ending, the diff and the agents'
 * trace. The same for a job of the app and of `patchwright fix`; `replay`
 * prints it and `fix` writes it as the job's trace file.
 */
import type { RepoGitHub } from "../github/repo-github.ts";
import { createOrigin } from "../pipeline/origins/create-origin.ts";
import type { JobRecord } from "../queue/job.ts";

export interface LedgerEntry {
  at: number;
  kind: string;
  data: unknown;
}

export function renderJob(job: JobRecord, ledger: readonly LedgerEntry[]): string {
  const { payload } = job;
  const start = ledger[0]?.at ?? job.createdAt;
  const result = ledger.findLast((e) => e.kind === "result")?.data as { state?: string; summary?: string } | undefined;
  const state = result?.state ?? job.state;
  const summary = result?.summary ?? job.result ?? "";
  const out: string[] = [
    `Job ${job.id} · ${payload.kind} · ${payload.repo.owner}/${payload.repo.name} · ${state}${summary ? `: ${summary}` : ""}`,
    `Trigger: ${describeTrigger(job, ledger)}`,
    `Created ${new Date(job.createdAt).toISOString()}, ${job.attempts} attempt(s)`,
    "",
    "Timeline",
  ];
  const timeline = ledger.filter((e) => !/\.agent\./.test(e.kind));
  for (const e of timeline) out.push(`  +${offset(e.at - start).padStart(7)}  ${e.kind.padEnd(16)} ${describe(e.kind, e.data)}`);
  if (timeline.length === 0) out.push("  (nothing recorded)");

  const report = ledger.findLast((e) => e.kind === "report")?.data as { title?: string; summary?: string; details?: string } | undefined;
  if (report) out.push("", `Report: ${report.title ?? ""}`, ...(report.summary ? [indent(report.summary)] : []));

  out.push("", "Diff");
  out.push(indent(diffOf(ledger, report) ?? "(no diff in the store)"));

  out.push("", "Trace");
  const agent = ledger.filter((e) => /\.agent\./.test(e.kind));
  for (const e of agent) out.push(`  ${traceLine(e)}`);
  if (agent.length === 0) out.push("  (no agent ran)");
  return `${out.join("\n")}\n`;
}

/** The origin's own sentence for the trigger (no trigger-type checks outside the origins), at the commit the job worked on. */
function describeTrigger(job: JobRecord, ledger: readonly LedgerEntry[]): string {
  const at = ledger.map((e) => (e.data as { sha?: unknown } | null)?.sha).find((sha): sha is string => typeof sha === "string") ?? "0000000";
  return createOrigin(job, OFFLINE).describe(at);
}

/** Describing a trigger needs no GitHub: anything else here is a bug. */
const OFFLINE: RepoGitHub = new Proxy({} as RepoGitHub, {
  get: () => {
    throw new Error("render-job: GitHub is not available while rendering a job from the store");
  },
});

/** The delivered diff (`fix`'s delivery, or a `deliver` entry that carries its patch), else the best attempt a report folded in. */
function diffOf(ledger: readonly LedgerEntry[], report: { details?: string } | undefined): string | undefined {
  const delivered = ledger.findLast((e) => (e.kind === "local.delivery" || e.kind === "deliver") && typeof (e.data as { patch?: unknown } | null)?.patch === "string")?.data as { patch?: string } | undefined;
  if (delivered?.patch) return delivered.patch.trimEnd();
  return /```diff\n([\s\S]*?)```/.exec(report?.details ?? "")?.[1]?.trimEnd();
}

function describe(kind: string, data: unknown): string {
  const d = (data ?? {}) as Record<string, unknown>;
  switch (kind) {
    case "reproduce":
      return `${String(d["verdict"])}: ${firstLine(d["summary"])}`;
    case "diagnosis":
      return `${String(d["status"])}: ${firstLine(d["summary"])}`;
    case "candidate":
      return `#${String(d["index"])} ${String(d["status"])}, ${d["passed"] === true ? `passed (${String(d["changedLines"])} lines)` : `not passed ${JSON.stringify(d["problems"] ?? [])}`}`;
    case "local.delivery":
      return d["branch"] ? `branch ${String(d["branch"])}` : `patch ${String(d["patchFile"])}`;
    case "report":
      return `${String(d["conclusion"])}: ${String(d["title"])}`;
    case "result":
      return `${String(d["state"])}: ${firstLine(d["summary"])}`;
    default:
      return clip(JSON.stringify(data), 120);
  }
}

function traceLine(e: LedgerEntry): string {
  const role = e.kind.split(".agent.")[0] ?? "";
  const d = (e.data ?? {}) as Record<string, unknown>;
  const head = `${role} t${String(d["turn"] ?? "?")}`;
  switch (d["kind"]) {
    case "model_call":
      return `${head} model: ${Number(d["promptTokens"] ?? 0) + Number(d["completionTokens"] ?? 0)} tokens${d["text"] ? ` "${clip(String(d["text"]).replace(/\s+/g, " "), 100)}"` : ""} → ${JSON.stringify(d["toolCalls"] ?? [])}`;
    case "tool_call":
      return `${head} ${d["ok"] === true ? "✓" : "✗"} ${String(d["name"])} ${clip(String(d["args"] ?? ""), 100)} → ${clip(String(d["result"] ?? "").replace(/\s+/g, " "), 100)}`;
    default:
      return `${head} ${String(d["kind"] ?? e.kind)}: ${clip(String(d["message"] ?? ""), 120)}`;
  }
}

function firstLine(value: unknown): string {
  return clip(String(value ?? "").split("\n")[0] ?? "", 120);
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
}

function offset(ms: number): string {
  const s = ms / 1000;
  return `${Math.floor(s / 60)}:${(s % 60).toFixed(1).padStart(4, "0")}`;
}
