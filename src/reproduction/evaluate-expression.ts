/**
 * Evaluates workflow expressions with what is known locally: `matrix.*` of the
 * matched combination, `env.*` from the workflow, a few `github.*` and
 * `runner.*` values, `steps.*` while a plan runs, literals and the pure
 * functions. Everything else (`secrets.*`, `needs.*`, `vars.*`, `hashFiles()`,
 * ...) is *unknown*: it carries the reason, interpolates as an empty string and
 * makes a condition undecidable. A secret's value is never produced.
 */
import {
  type ExpressionValue,
  callPureFunction,
  compare,
  lookup,
  looselyEqual,
  toText,
  toValue,
  truthy,
} from "./expression-values.ts";
import { type ExpressionNode, parseExpression } from "./parse-expression.ts";

export type { ExpressionValue } from "./expression-values.ts";
export { toText } from "./expression-values.ts";

/** The contexts available locally. */
export interface ExpressionContext {
  /** The matched matrix combination; `{}` for a job without a matrix. */
  readonly matrix: Readonly<Record<string, unknown>>;
  /** The `env` context: workflow, job and step `env:` resolved so far. */
  readonly env: Readonly<Record<string, string>>;
  /** `github.*` values known locally (`sha`, `ref_name`, `workspace`, ...). */
  readonly github: Readonly<Record<string, string>>;
  /** `runner.*` values (`os`, `temp`). */
  readonly runner: Readonly<Record<string, string>>;
  /**
   * `steps.<id>.*` of the steps that ran so far, by id; absent at plan time,
   * where `steps.*` is unknown. An id that is not here is empty, as in CI
   * (a step that did not run, or no such step).
   */
  readonly steps?: Readonly<Record<string, StepContext>>;
  /**
   * What `env.X` is when X is not in `env`: unknown (the default: it may come
   * from `$GITHUB_ENV` at run time), or empty, as in CI, once every source of
   * variables is known.
   */
  readonly missingEnv?: "unknown" | "empty";
}

/** One step's entry of the `steps` context, or why it cannot be known (an action not run here). */
export type StepContext =
  | { readonly outputs: Readonly<Record<string, string>>; readonly outcome: string; readonly conclusion: string }
  | { readonly unknown: string };

/** A value that cannot be known locally, with why. */
class Unknown {
  readonly reasons: readonly string[];
  constructor(reasons: readonly string[]) {
    this.reasons = reasons;
  }
}

type Value = ExpressionValue | Unknown;

export interface Interpolated {
  readonly text: string;
  /** Why parts of the text are not what CI had (empty when exact). */
  readonly unresolved: readonly string[];
}

export type Condition = { readonly decided: true; readonly value: boolean } | { readonly decided: false; readonly reasons: readonly string[] };

/** A template split into literal text and `${{ }}` expression sources. */
export type TemplatePart = { readonly literal: string } | { readonly expression: string };

/** Whether a string contains a `${{ }}` expression. */
export function hasExpression(text: string): boolean {
  return text.includes("${{");
}

/** Splits `a ${{ b }} c` into parts; `}}` inside a quoted string does not end an expression. */
export function splitTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let rest = template;
  for (;;) {
    const start = rest.indexOf("${{");
    if (start < 0) break;
    let end = -1;
    let quoted = false;
    for (let i = start + 3; i < rest.length; i++) {
      if (rest[i] === "'") quoted = !quoted;
      else if (!quoted && rest.startsWith("}}", i)) {
        end = i;
        break;
      }
    }
    if (end < 0) break; // unterminated: GitHub rejects it; keep the text as is
    if (start > 0) parts.push({ literal: rest.slice(0, start) });
    parts.push({ expression: rest.slice(start + 3, end).trim() });
    rest = rest.slice(end + 2);
  }
  if (rest !== "") parts.push({ literal: rest });
  return parts;
}

/** Replaces every `${{ }}` with its value; unknown values become "" and are reported. */
export function interpolate(template: string, context: ExpressionContext): Interpolated {
  const unresolved: string[] = [];
  let text = "";
  for (const part of splitTemplate(template)) {
    if ("literal" in part) {
      text += part.literal;
      continue;
    }
    const value = evaluateSource(part.expression, context);
    if (value instanceof Unknown) unresolved.push(...value.reasons);
    else text += toText(value);
  }
  return { text, unresolved: [...new Set(unresolved)] };
}

/** The value of one expression source (the inside of `${{ }}`), or why it is unknown. */
export function evaluateExpression(source: string, context: ExpressionContext): { value: ExpressionValue } | { reasons: readonly string[] } {
  const value = evaluateSource(source, context);
  return value instanceof Unknown ? { reasons: value.reasons } : { value };
}

/**
 * An `if:` condition (with or without `${{ }}`). Steps before the failed one
 * all succeeded, so `success()`/`always()` are true and `failure()`/`cancelled()` false.
 */
export function evaluateCondition(condition: string | boolean | number, context: ExpressionContext): Condition {
  if (typeof condition !== "string") return { decided: true, value: truthy(condition) };
  const trimmed = condition.trim();
  const parts = splitTemplate(trimmed);
  const only = parts.length === 1 ? parts[0] : undefined;
  let value: Value;
  if (only !== undefined && "expression" in only) value = evaluateSource(only.expression, context);
  else if (hasExpression(trimmed)) {
    // `${{ a }} == b` is string interpolation, then a non-empty string: GitHub treats it as true.
    const interpolated = interpolate(trimmed, context);
    if (interpolated.unresolved.length > 0) return { decided: false, reasons: interpolated.unresolved };
    value = interpolated.text;
  } else value = evaluateSource(trimmed, context);
  if (value instanceof Unknown) return { decided: false, reasons: value.reasons };
  return { decided: true, value: truthy(value) };
}

function evaluateSource(source: string, context: ExpressionContext): Value {
  const parsed = parseExpression(source);
  if (!parsed.ok) return new Unknown([`invalid expression: ${parsed.error}`]);
  return evaluate(parsed.node, context);
}

function evaluate(node: ExpressionNode, context: ExpressionContext): Value {
  switch (node.kind) {
    case "literal":
      return node.value;
    case "context":
    case "member":
    case "index": {
      const path = staticPath(node);
      if (path !== null) return resolvePath(path, context);
      if (node.kind === "context") return resolvePath([node.name], context);
      // A computed object (`fromJSON(...).a`) or index (`matrix[env.KEY]`).
      const object = evaluate(node.object, context);
      const index = node.kind === "member" ? node.name : evaluate(node.index, context);
      if (object instanceof Unknown) return object;
      if (index instanceof Unknown) return index;
      return lookup(object, toText(index));
    }
    case "filter":
      return new Unknown(["object filters (`.*`) are not evaluated locally"]);
    case "not": {
      const operand = evaluate(node.operand, context);
      return operand instanceof Unknown ? operand : !truthy(operand);
    }
    case "binary":
      return evaluateBinary(node.op, node.left, node.right, context);
    case "call":
      return callFunction(node.name, node.args, context);
  }
}

function evaluateBinary(op: string, leftNode: ExpressionNode, rightNode: ExpressionNode, context: ExpressionContext): Value {
  const left = evaluate(leftNode, context);
  if (op === "&&" || op === "||") {
    // Short-circuit on a known left side, like GitHub; an unknown left side stays unknown.
    if (left instanceof Unknown) return left;
    if (op === "&&" ? !truthy(left) : truthy(left)) return left;
    return evaluate(rightNode, context);
  }
  const right = evaluate(rightNode, context);
  if (left instanceof Unknown) return left;
  if (right instanceof Unknown) return right;
  switch (op) {
    case "==":
      return looselyEqual(left, right);
    case "!=":
      return !looselyEqual(left, right);
    default:
      return compare(op, left, right);
  }
}

/** `matrix.os`, `env['X']`: a context followed by constant property names, or null. */
function staticPath(node: ExpressionNode): string[] | null {
  if (node.kind === "context") return [node.name];
  if (node.kind === "member") {
    const base = staticPath(node.object);
    return base && [...base, node.name];
  }
  if (node.kind === "index" && node.index.kind === "literal" && node.index.value !== null) {
    const base = staticPath(node.object);
    return base && [...base, String(node.index.value)];
  }
  return null;
}

const NOT_LOCAL: Readonly<Record<string, string>> = {
  steps: "step results and outputs exist only while the job runs",
  needs: "outputs of other jobs are not available",
  vars: "repository variables are not available",
  inputs: "workflow inputs are not available",
  job: "the job context is not available",
  jobs: "the jobs context is not available",
  strategy: "the strategy context is not available",
};

function resolvePath(path: readonly string[], context: ExpressionContext): Value {
  const [root = "", ...rest] = path;
  const name = path.join(".");
  switch (root.toLowerCase()) {
    case "matrix":
      return rest.reduce<Value>((value, key) => (value instanceof Unknown ? value : lookup(value, key)), toValue(context.matrix));
    case "env": {
      if (rest.length === 0) return toValue(context.env);
      const value = context.env[rest[0] ?? ""];
      if (value === undefined && context.missingEnv === "empty") return null;
      if (value === undefined) return new Unknown([`\`${name}\` is not set by the workflow (it may come from $GITHUB_ENV at run time)`]);
      return rest.length === 1 ? value : null;
    }
    case "steps":
      if (context.steps === undefined) return new Unknown([`\`${name}\` cannot be resolved locally: ${NOT_LOCAL["steps"] ?? ""}`]);
      return resolveStep(rest, name, context.steps);
    case "github":
    case "runner": {
      const values = root.toLowerCase() === "github" ? context.github : context.runner;
      const key = rest[0]?.toLowerCase() ?? "";
      if (root.toLowerCase() === "github" && key === "token") return secret(name);
      const value = values[key];
      if (value === undefined || rest.length > 1) return new Unknown([`\`${name}\` is not known locally`]);
      return value;
    }
    case "secrets":
      return secret(name);
    default: {
      const why = NOT_LOCAL[root.toLowerCase()];
      return new Unknown([why ? `\`${name}\` cannot be resolved locally: ${why}` : `\`${name}\` is not a context known locally`]);
    }
  }
}

/** `steps.<id>.outputs.<name>`, `.outcome`, `.conclusion`; ids are case-insensitive, like every context key. */
function resolveStep(rest: readonly string[], name: string, steps: Readonly<Record<string, StepContext>>): Value {
  const [id, ...more] = rest;
  if (id === undefined) {
    const unknown = Object.values(steps).find((entry) => "unknown" in entry);
    return unknown !== undefined && "unknown" in unknown ? new Unknown([unknown.unknown]) : toValue(steps);
  }
  const key = Object.keys(steps).find((k) => k.toLowerCase() === id.toLowerCase());
  const entry = key === undefined ? undefined : steps[key];
  if (entry === undefined) return null;
  if ("unknown" in entry) return new Unknown([`\`${name}\` cannot be resolved locally: ${entry.unknown}`]);
  return more.reduce<ExpressionValue>((value, part) => lookup(value, part), toValue(entry));
}

/**
 * The contexts a template (or, with `condition`, an `if:`) reads, as static
 * paths (`["steps", "build", "outputs", "tag"]`, `["env", "MODE"]`); a
 * computed access is cut where it stops being static (`["env"]`).
 */
export function referencedPaths(template: string, condition = false): string[][] {
  const trimmed = template.trim();
  const sources = condition && !hasExpression(trimmed) ? [trimmed] : splitTemplate(trimmed).flatMap((part) => ("expression" in part ? [part.expression] : []));
  const paths: string[][] = [];
  const visit = (node: ExpressionNode): void => {
    const path = staticPath(node);
    if (path !== null) {
      paths.push(path);
      return;
    }
    switch (node.kind) {
      case "member":
      case "filter":
        visit(node.object);
        return;
      case "index":
        visit(node.object);
        visit(node.index);
        return;
      case "not":
        visit(node.operand);
        return;
      case "binary":
        visit(node.left);
        visit(node.right);
        return;
      case "call":
        node.args.forEach(visit);
        return;
      default:
        return;
    }
  };
  for (const source of sources) {
    const parsed = parseExpression(source);
    if (parsed.ok) visit(parsed.node);
  }
  return paths;
}

function secret(name: string): Unknown {
  return new Unknown([`\`${name}\` is a secret: it is not available here and is replaced by an empty string`]);
}

function callFunction(name: string, argNodes: readonly ExpressionNode[], context: ExpressionContext): Value {
  const fn = name.toLowerCase();
  // Steps before the failed one all succeeded.
  if (fn === "success" || fn === "always") return true;
  if (fn === "failure" || fn === "cancelled") return false;
  if (fn === "hashfiles") return new Unknown([`\`${name}()\` is not evaluated locally`]);
  const args: ExpressionValue[] = [];
  for (const node of argNodes) {
    const value = evaluate(node, context);
    if (value instanceof Unknown) return value;
    args.push(value);
  }
  const result = callPureFunction(name, args);
  return "value" in result ? result.value : new Unknown([result.reason]);
}
