/**
 * The reproduction as markdown for the PR body or a check run: what was run,
 * how faithful it is (exact, or the approximations), a before/after table
 * (exit codes, durations), the notes that make it inexact, and the output tails. Redact the result before it leaves the process.
 */
import { fence } from "../github/markdown.ts";
import type { ReproductionOutcome, ReproductionRun, StepRecord } from "./run-reproduction.ts";
import type { ReproductionPlan } from "./types.ts";

const COMMAND_CHARS = 80;

/** @param after the same plan (or its failing part) run again after the fix. */
export function renderReproductionMarkdown(outcome: ReproductionOutcome, after?: ReproductionRun): string {
  const { plan } = outcome;
  const before = beforeRun(outcome);
  const beforeByStep = alignToPlan(plan, before);
  const afterByStep = after ? alignToPlan(plan, after) : undefined;
  const rows = plan.steps.map((step, i) => {
    const cells = [escapeCell(step.name), code(step.command), status(beforeByStep[i])];
    if (afterByStep) cells.push(status(afterByStep[i]));
    return `| ${cells.join(" | ")} |`;
  });
  const header = afterByStep ? ["step", "command", "before", "after"] : ["step", "command", "result"];
  // What the run found (a deferred step's run-time reasons) over what planning expected.
  const inexact = plan.steps.flatMap((s, i) => {
    const why = beforeByStep[i]?.inexact ?? s.inexact;
    return why ? [`- \`${s.name}\` is not exact: ${why}`] : [];
  });
  const notes = [...plan.notes.map((n) => `- ${n}`), ...inexact];
  const caveats = outcome.verdict === "red" ? outcome.caveats.map((c) => `- ${c}`) : [];
  return [
    "### Reproduction",
    outcome.summary,
    "",
    `Reproduced from ${plan.description}.`,
    "",
    ...fidelity(plan),
    "",
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows,
    ...(notes.length + caveats.length > 0 ? ["", ...notes, ...caveats] : []),
    "",
    ...outputFold("Output before", before),
    ...(after ? outputFold("Output after", after) : []),
  ]
    .join("\n")
    .trimEnd();
}

/** One line when exact; else the approximations, each with how it is done here. */
export function fidelity(plan: Pick<ReproductionPlan, "exact" | "approximations">): string[] {
  if (plan.exact) return ["Exact: the failed job's steps ran as in CI."];
  if (plan.approximations.length === 0) return ["Approximate: some steps may not behave as in CI (see the notes below)."];
  return ["Approximate:", ...plan.approximations.map((a) => `- \`${a.step}\`: ${a.how}`)];
}

/** The run that shows the failure: the first failing re-run of a flaky outcome, else the first run. */
function beforeRun(outcome: ReproductionOutcome): ReproductionRun {
  if (outcome.verdict === "flaky") return outcome.reruns.find((r) => r.red) ?? outcome.run;
  return outcome.run;
}

/** The records of `run` by plan step index (a re-run covers a suffix of the plan). */
function alignToPlan(plan: ReproductionPlan, run: ReproductionRun): (StepRecord | undefined)[] {
  const names = plan.steps.map((s) => s.name);
  const start = names.findIndex((_, k) => run.steps.every((record, i) => names[k + i] === record.name));
  const aligned: (StepRecord | undefined)[] = names.map(() => undefined);
  if (start < 0) return aligned;
  run.steps.forEach((record, i) => (aligned[start + i] = record));
  return aligned;
}

function status(record: StepRecord | undefined): string {
  if (record === undefined) return "—";
  if (record.skipped === true) return "⏭ skipped";
  const mark = record.timedOut ? "⏱" : record.exitCode === 0 ? "✅" : "❌";
  return `${mark} ${record.exitCode} · ${(record.durationMs / 1000).toFixed(1)} s`;
}

function outputFold(title: string, run: ReproductionRun): string[] {
  const last = run.steps.at(-1);
  if (last === undefined) return [];
  return [`<details><summary>${title}: ${escapeHtml(last.name)} (exit ${last.exitCode})</summary>`, "", fence(last.outputExcerpt.trimEnd()), "", "</details>"];
}

function code(command: string): string {
  const lines = command.trim().split("\n");
  let text = lines[0] ?? "";
  if (text.length > COMMAND_CHARS) text = `${text.slice(0, COMMAND_CHARS)}…`;
  else if (lines.length > 1) text += " …";
  const ticks = text.includes("`") ? "``" : "`";
  return `${ticks}${ticks.length > 1 ? " " : ""}${text.replaceAll("|", "\\|")}${ticks.length > 1 ? " " : ""}${ticks}`;
}

function escapeCell(text: string): string {
  return escapeHtml(text).replaceAll("|", "\\|");
}

function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
