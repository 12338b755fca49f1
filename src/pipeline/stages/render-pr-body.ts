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
  /** The reproduction's own before/after record: steps, exit codes, durations, excerpts. */
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

/** The pull request body: what failed, the change, before/after proof, the trace. Redact before sending. */
export function renderPrBody(input: PrBodyInput): string {
  const files = input.diff.files.map((f) => `- \`${f.path}\` (+${f.insertions} −${f.deletions})`).join("\n");
  return [
    "### What failed",
    input.failure,
    "",
    "### Root cause",
    input.diagnosis.trim() || "(no diagnosis)",
    "",
    "### The change",
    input.summary.trim() || "(no summary)",
    "",
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
    fold("Reproduction", input.reproduction),
    fold("Output before", fence(tail(input.before.output))),
    fold("Output after", fence(tail(input.after.output))),
    fold(
      `Trace (${input.usage.turns} turns, ${input.usage.promptTokens + input.usage.completionTokens} tokens)`,
      input.trace.map((line) => `1. ${line.replace(/\n/g, " ")}`).join("\n") || "(empty)",
    ),
    "",
    openedBy(input.spent),
  ].join("\n");
}

