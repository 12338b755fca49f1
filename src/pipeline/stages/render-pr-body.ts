import type { CommandResult } from "../../workspace/types.ts";
import type { WorkspaceDiff } from "../../workspace/types.ts";
import { fence, fold, openedBy, seconds, tail } from "../../github/markdown.ts";
import type { TestProof } from "../../reproduction/compare-test-reports.ts";
import { renderTestProof } from "./render-test-proof.ts";

export interface PrBodyInput {
  /** What failed, as markdown (e.g. a link to the run). */
  failure: string;
  summary: string;
  /** The investigator's diagnosis (root cause, files, confidence). */
  diagnosis: string;
  /** One line per candidate fix and its verdict. */
  candidates: string;
  command: string;
  /** The reproduction's own before/after record: steps, exit codes, durations, and the failing step's output before and after. */
  reproduction: string;
  before: CommandResult;
  after: CommandResult;
  diff: WorkspaceDiff;
  /** The runner's report before and after (absent: no report, the exit code is the proof). */
  tests?: TestProof;
  /** Test files the change touches: always called out. */
  editedTests: readonly string[];
  trace: readonly string[];
  usage: { turns: number; promptTokens: number; completionTokens: number };
  /** The whole job's model spending, all roles together. */
  spent: { tokens: number; costUsd: number };
}

/**
 * GitHub refuses bodies over 65,536 characters; redaction may lengthen one a
 * little, so bodies are fitted well under that.
 */
export const PR_BODY_LIMIT = 60_000;
/** Most characters the diagnosis or the summary may take (a model can ramble). */
const PROSE_LIMIT = 6_000;
export const CUT_NOTE = "(cut; see the check run)";

/**
 * The pull request body: what failed, the root cause, the change, the
 * before/after proof, the trace. Each thing once: a summary that only repeats
 * the diagnosis is not printed again, and the test output appears only in the
 * reproduction. Fitted to `PR_BODY_LIMIT` by cutting the trace, then the
 * reproduction's output. Redact before sending.
 */
export function renderPrBody(input: PrBodyInput, limit = PR_BODY_LIMIT): string {
  const trace = input.trace.map((line) => `1. ${line.replace(/\n/g, " ")}`);
  const traceTitle = `Trace (${input.usage.turns} turns, ${input.usage.promptTokens + input.usage.completionTokens} tokens)`;
  const render = (parts: { trace: string; reproduction: string }) => compose(input, parts.reproduction, fold(traceTitle, parts.trace));
  const whole = { trace: trace.join("\n") || "(empty)", reproduction: input.reproduction };
  let body = render(whole);
  if (body.length <= limit) return body;

  // The trace first: as many of its first lines as fit.
  const room = limit - render({ ...whole, trace: CUT_NOTE }).length;
  body = render({ ...whole, trace: keepLines(trace, room - CUT_NOTE.length - 1) });
  if (body.length <= limit) return body;

  // Then the reproduction's output folds, keeping its table; then the rest of it.
  const withoutOutput = `${input.reproduction.replace(/<details>[\s\S]*?<\/details>/g, "").trimEnd()}\n\n${CUT_NOTE}`;
  body = render({ trace: CUT_NOTE, reproduction: withoutOutput });
  if (body.length <= limit) return body;
  return render({ trace: CUT_NOTE, reproduction: CUT_NOTE });
}

function compose(input: PrBodyInput, reproduction: string, trace: string): string {
  const files = input.diff.files.map((f) => `- \`${f.path}\` (+${f.insertions} −${f.deletions})`).join("\n");
  const diagnosis = cut(input.diagnosis.trim()) || "(no diagnosis)";
  const change = cut(changeText(input.diagnosis, input.summary));
  // The failing step's output is in the reproduction; a different full test command's output is not.
  const fullSuite = input.after.command !== input.before.command && input.after.output.trim()
    ? [fold(`Output of \`${input.after.command.split("\n")[0] ?? ""}\` after the change`, fence(tail(input.after.output)))]
    : [];
  return [
    "### What failed",
    input.failure,
    "",
    "### Root cause",
    diagnosis,
    "",
    "### The change",
    ...(change ? [change, ""] : []),
    files,
    "",
    fold("Candidates", input.candidates || "(one)"),
    "",
    "### Verification",
    "| | command | exit code | duration |",
    "| --- | --- | --- | --- |",
    `| before | \`${input.command}\` | ${input.before.exitCode} ❌ | ${seconds(input.before.durationMs)} |`,
    `| after | \`${input.command}\` | ${input.after.exitCode} ✅ | ${seconds(input.after.durationMs)} |`,
    "",
    renderTestProof(input.tests, input.editedTests),
    "",
    fold("Reproduction", reproduction),
    ...fullSuite,
    trace,
    "",
    openedBy(input.spent),
  ].join("\n");
}

/**
 * The fixer's summary, unless it opens with the diagnosis's own first
 * sentence: then only what it adds (often nothing).
 */
export function changeText(diagnosis: string, summary: string): string {
  const text = summary.trim();
  if (!text) return diagnosis.trim() ? "" : "(no summary)";
  const first = firstSentence(text);
  if (normalise(first) !== normalise(firstSentence(diagnosis))) return text;
  return text.slice(first.length).trim();
}

function firstSentence(text: string): string {
  const trimmed = text.trim();
  const end = /[.!?](?=\s|$)|\n/.exec(trimmed);
  return end ? trimmed.slice(0, end.index + 1) : trimmed;
}

function normalise(sentence: string): string {
  return sentence.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
}

function cut(text: string): string {
  return text.length <= PROSE_LIMIT ? text : `${text.slice(0, PROSE_LIMIT)}… ${CUT_NOTE}`;
}

function keepLines(lines: readonly string[], room: number): string {
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    const clipped = line.length > 2_000 ? `${line.slice(0, 2_000)}…` : line;
    if (used + clipped.length + 1 > room) break;
    kept.push(clipped);
    used += clipped.length + 1;
  }
  return [...kept, CUT_NOTE].join("\n");
}
