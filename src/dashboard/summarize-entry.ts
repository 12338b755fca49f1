import { CandidateEntry, DeliverEntry, DiagnosisEntry, ErrorEntry, readAs, RecipeEntry, ReportEntry, ReproduceEntry, type LedgerEntry } from "./ledger-entries.ts";

/** How a timeline entry went, for its marker. */
export type Tone = "good" | "bad" | "plain";

/** One line about a stage's ledger entry for the timeline (uncut: the page cuts it once redacted), and how it went. */
export function summarizeEntry(entry: LedgerEntry): { text: string; tone: Tone } {
  const d = (entry.data ?? {}) as Record<string, unknown>;
  const text = (() => {
    switch (entry.kind) {
      case "ack":
        return `acknowledged (check run ${String(d["checkRunId"])})`;
      case "evidence":
        return `${String(d["bytes"])} bytes of evidence at ${short(d["sha"])}${list(d["failedJobs"]) ? `; failed: ${list(d["failedJobs"])}` : ""}`;
      case "workspace":
        return `checkout at ${short(d["sha"])} (${String(d["isolation"] ?? "sandbox")})`;
      case "toolchain":
        return toolchainLine(d);
      case "setup_retry":
        return `install retried, hosts reached: ${list(d["hosts"]) ?? "none"}`;
      case "scope":
      case "broader_suite":
        return `${String(d["command"])} → exit ${String(d["exitCode"])}`;
      case "stage":
        // Written when a stage ends; `alongside`: it overlapped the stage shown (speculative work).
        return `${String(d["stage"])}: ${seconds(d["ms"])}${d["alongside"] === true ? ", alongside" : ""}`;
      case "fork_failed":
        return `fewer candidates (${String(d["candidates"])}): ${String(d["message"])}`;
      default:
        return summarizeOutcome(entry) ?? JSON.stringify(entry.data ?? null);
    }
  })();
  return { text: firstLine(text), tone: toneOf(entry) };
}

/** The entries whose one line comes from their schema. */
function summarizeOutcome(entry: LedgerEntry): string | undefined {
  switch (entry.kind) {
    case "reproduce": {
      const r = readAs(ReproduceEntry, entry.data);
      return r && `${r.verdict ?? "?"}: ${r.summary ?? ""}`;
    }
    case "recipe": {
      const r = readAs(RecipeEntry, entry.data);
      return r && `${r.name}: ${r.green === true ? "green" : "not green"} (${r.commands.map((c) => c.command).join("; ")})`;
    }
    case "diagnosis": {
      const r = readAs(DiagnosisEntry, entry.data);
      return r && `${r.status}: ${r.summary}`;
    }
    case "candidate": {
      const r = readAs(CandidateEntry, entry.data);
      return r && `#${r.index} ${r.status}, ${r.passed ? `passed (${r.changedLines ?? "?"} changed lines)` : `not passed${r.problems.length > 0 ? `: ${r.problems.join("; ")}` : ""}`}`;
    }
    case "deliver":
    case "local.delivery": {
      const r = readAs(DeliverEntry, entry.data);
      return r && (r.url ?? (r.branch ? `branch ${r.branch}` : `patch ${r.patchFile ?? "?"}`));
    }
    case "report": {
      const r = readAs(ReportEntry, entry.data);
      return r && `${r.conclusion}: ${r.title}`;
    }
    case "error": {
      const r = readAs(ErrorEntry, entry.data);
      return r && `${r.code}: ${r.message}`;
    }
    default:
      return undefined;
  }
}

function toneOf(entry: LedgerEntry): Tone {
  const d = (entry.data ?? {}) as Record<string, unknown>;
  if (entry.kind === "error" || entry.kind === "fork_failed") return "bad";
  if (entry.kind === "deliver" || entry.kind === "local.delivery") return "good";
  if (entry.kind === "candidate") return d["passed"] === true ? "good" : "bad";
  if (entry.kind === "report") return d["conclusion"] === "success" ? "good" : d["conclusion"] === "failure" ? "bad" : "plain";
  return "plain";
}

function toolchainLine(d: Record<string, unknown>): string {
  const tools = Array.isArray(d["tools"]) ? (d["tools"] as Record<string, unknown>[]).map((t) => `${String(t["tool"])} ${String(t["version"])}`) : [];
  const missing = list(d["missing"]);
  return `toolchains: ${tools.join(", ") || "none provided"}${missing ? `; missing: ${missing}` : ""}`;
}

function list(value: unknown): string | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  return value.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(", ");
}

function short(sha: unknown): string {
  return typeof sha === "string" ? sha.slice(0, 7) : "?";
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? "";
}

function seconds(ms: unknown): string {
  return typeof ms === "number" && Number.isFinite(ms) ? `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s` : "?";
}
