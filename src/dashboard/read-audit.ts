/**
 * What the store says about who asked for a job, what was allowed, what ran
 * and what was written: from the job's payload and whatever its ledger holds.
 */
import type { JobPayload } from "../queue/job.ts";
import { actorOf } from "./describe-trigger.ts";
import { AGENT_EVENT, CandidateEntry, CommandEntry, DeliverEntry, ErrorEntry, readAs, RecipeEntry, ReportEntry, ReproduceEntry, ToolCallEvent, type LedgerEntry } from "./ledger-entries.ts";

/** The newest commands listed. */
export const MAX_COMMANDS = 200;

export interface CommandRun {
  /** Who ran it: a stage, or an agent role and turn. */
  by: string;
  command: string;
  exitCode?: number;
  ok?: boolean;
}

export interface AuditView {
  deliveryId: string;
  actor: string;
  /** Permission decisions recorded in the ledger: a person's request records who and what GitHub said of their access (webhooks/record-permission.ts). */
  permissions: string[];
  /** The verifier's objections to candidates, and any other recorded denial. */
  denials: string[];
  commands: { rows: CommandRun[]; total: number };
  errors: { code: string; message: string }[];
  reports: { conclusion: string; title: string; url?: string }[];
  deliveries: { url?: string; branch?: string; sha?: string }[];
  checkRunId?: number;
}

export function readAudit(payload: JobPayload, ledger: readonly LedgerEntry[]): AuditView {
  const commands = ledger.flatMap(commandsOf);
  const ack = ledger.findLast((e) => e.kind === "ack")?.data as { checkRunId?: unknown } | undefined;
  return {
    deliveryId: payload.deliveryId,
    actor: actorOf(payload),
    permissions: ledger.filter((e) => /permission|authori[sz]/i.test(e.kind)).map((e) => `${e.kind}: ${JSON.stringify(e.data)}`),
    denials: ledger.flatMap(denialsOf),
    commands: { rows: commands.slice(-MAX_COMMANDS), total: commands.length },
    errors: ledger.flatMap((e) => (e.kind === "error" ? (readAs(ErrorEntry, e.data) ?? []) : [])),
    reports: ledger.flatMap((e) => (e.kind === "report" ? (readAs(ReportEntry, e.data) ?? []) : [])).map((r) => ({ conclusion: r.conclusion, title: r.title, ...(r.url ? { url: r.url } : {}) })),
    deliveries: ledger
      .flatMap((e) => (e.kind === "deliver" || e.kind === "local.delivery" ? (readAs(DeliverEntry, e.data) ?? []) : []))
      .map(({ url, branch, sha }) => ({ ...(url ? { url } : {}), ...(branch ? { branch } : {}), ...(sha ? { sha } : {}) })),
    ...(typeof ack?.checkRunId === "number" ? { checkRunId: ack.checkRunId } : {}),
  };
}

/** Refusals the agent's tools answer with (`run-command.ts`, `tool-helpers.ts`): the command policy and protected paths. */
const TOOL_REFUSAL = /command policy refused|is a protected path|outside the repository/i;

function denialsOf(entry: LedgerEntry): string[] {
  const agent = AGENT_EVENT.exec(entry.kind);
  if (agent) {
    const call = agent[2] === "tool_call" ? readAs(ToolCallEvent, entry.data) : undefined;
    return call && !call.ok && TOOL_REFUSAL.test(call.result) ? [`${agent[1] ?? "agent"}, turn ${call.turn ?? "?"}: ${call.name} refused: ${call.result}`] : [];
  }
  if (entry.kind === "candidate") {
    const candidate = readAs(CandidateEntry, entry.data);
    return candidate ? candidate.problems.map((problem) => `candidate ${candidate.index}: ${problem}`) : [];
  }
  return /policy|denied|denial/i.test(entry.kind) ? [`${entry.kind}: ${JSON.stringify(entry.data)}`] : [];
}

function commandsOf(entry: LedgerEntry): CommandRun[] {
  const agent = AGENT_EVENT.exec(entry.kind);
  if (agent) {
    const call = agent[2] === "tool_call" ? readAs(ToolCallEvent, entry.data) : undefined;
    if (call?.name !== "run_command") return [];
    return [{ by: `${agent[1] ?? "agent"}, turn ${call.turn ?? "?"}`, command: commandOfArgs(call.args), ok: call.ok }];
  }
  switch (entry.kind) {
    case "reproduce":
      return (readAs(ReproduceEntry, entry.data)?.run?.steps ?? []).map((s) => run(`reproduce${s.name ? `: ${s.name}` : ""}`, s));
    case "scope":
    case "broader_suite": {
      const c = readAs(CommandEntry, entry.data);
      return c ? [run(entry.kind, c)] : [];
    }
    case "recipe": {
      const r = readAs(RecipeEntry, entry.data);
      return r ? [...r.commands, ...(r.after ? [r.after] : [])].map((c) => run(`recipe ${r.name}`, c)) : [];
    }
    default:
      return [];
  }
}

function run(by: string, c: { command: string; exitCode?: number | undefined }): CommandRun {
  return { by, command: c.command, ...(c.exitCode !== undefined ? { exitCode: c.exitCode, ok: c.exitCode === 0 } : {}) };
}

/** `run_command`'s arguments are JSON (`{"command": "npm test"}`), capped, so possibly cut: shown raw when they do not parse. */
function commandOfArgs(args: string): string {
  try {
    const parsed = JSON.parse(args) as { command?: unknown };
    return typeof parsed.command === "string" ? parsed.command : args;
  } catch {
    return args;
  }
}
