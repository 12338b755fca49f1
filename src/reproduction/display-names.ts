/**
 * The names GitHub shows (and the jobs API reports) for jobs and steps, as
 * patterns: a value that cannot be computed locally matches anything, since
 * GitHub either rendered it or showed the raw `${{ }}` text.
 */
import { type ExpressionContext, evaluateExpression, splitTemplate, toText } from "./evaluate-expression.ts";
import type { Combination } from "./expand-matrix.ts";
import type { WorkflowJob, WorkflowStep } from "./parse-workflow.ts";

/**
 * Candidate display names of a job for one matrix combination: `name:` rendered;
 * or `<name or id> (<values joined by ", ">)` when there is a matrix. Both forms
 * are tried, with all values and with the original dimensions only.
 */
export function jobNamePatterns(job: WorkflowJob, combination: Combination, context: ExpressionContext): RegExp[] {
  const base = templatePattern(job.name ?? job.id, context);
  const all = Object.values(combination).map(displayValue);
  const dimensionKeys = typeof job.matrix === "object" ? job.matrix.dimensions.map(([key]) => key) : [];
  const dimensions = dimensionKeys.filter((key) => key in combination).map((key) => displayValue(combination[key]));
  const sources = new Set<string>();
  if (all.length === 0 || (job.name ?? "").includes("${{")) sources.add(base);
  for (const values of [all, dimensions]) {
    if (values.length > 0) sources.add(`${base} \\(${escapeRegExp(values.join(", "))}\\)`);
  }
  return [...sources].map((source) => new RegExp(`^${source}$`, "s"));
}

/** The name GitHub gives a step: `name:`, else `Run <first line of run>` or `Run <action>`. */
export function stepNamePattern(step: WorkflowStep, context: ExpressionContext): RegExp {
  const source = templatePattern(stepNameTemplate(step), context);
  // `docker://image` is displayed by its image name.
  const docker = step.name === undefined && step.uses?.startsWith("docker://") ? `|Run ${escapeRegExp(step.uses.slice(9))}` : "";
  return new RegExp(`^(?:${source}${docker})$`, "s");
}

/** A step's display name for people: known values substituted, unknown ones left as `${{ }}`. */
export function stepDisplayName(step: WorkflowStep, context: ExpressionContext): string {
  return splitTemplate(stepNameTemplate(step))
    .map((part) => {
      if ("literal" in part) return part.literal;
      const result = evaluateExpression(part.expression, context);
      return "value" in result ? toText(result.value) : `\${{ ${part.expression} }}`;
    })
    .join("");
}

function stepNameTemplate(step: WorkflowStep): string {
  if (step.name !== undefined) return firstLine(step.name);
  if (step.run !== undefined) return `Run ${firstLine(step.run)}`;
  return `Run ${step.uses ?? ""}`;
}

/** Like the runner: leading whitespace dropped, then up to the first line break. */
function firstLine(text: string): string {
  return text.replace(/^[ \t\r\n]+/, "").split(/[\r\n]/)[0] ?? "";
}

/** Regex source matching a template: literals exactly, known values exactly, unknown values lazily. */
function templatePattern(template: string, context: ExpressionContext): string {
  return splitTemplate(template)
    .map((part) => {
      if ("literal" in part) return escapeRegExp(part.literal);
      const result = evaluateExpression(part.expression, context);
      return "value" in result ? escapeRegExp(toText(result.value)) : ".*?";
    })
    .join("");
}

function displayValue(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
