/**
 * Values of the workflow expression language and GitHub's rules for them:
 * text conversion, truthiness, loose equality (strings case-insensitively,
 * mixed types as numbers), comparison, and the pure built-in functions.
 */
import type { Literal } from "./parse-expression.ts";

export type ExpressionValue = Literal | readonly ExpressionValue[] | { readonly [key: string]: ExpressionValue };

/** A function result, or why it cannot be computed locally. */
export type FunctionResult = { readonly value: ExpressionValue } | { readonly reason: string };

/** The pure functions (`contains`, `startsWith`, `endsWith`, `format`, `join`, `toJSON`, `fromJSON`). */
export function callPureFunction(name: string, args: readonly ExpressionValue[]): FunctionResult {
  const [a = null, b = null] = args;
  switch (name.toLowerCase()) {
    case "contains":
      return {
        value: isArray(a) ? a.some((item) => looselyEqual(item, b)) : toText(a).toLowerCase().includes(toText(b).toLowerCase()),
      };
    case "startswith":
      return { value: toText(a).toLowerCase().startsWith(toText(b).toLowerCase()) };
    case "endswith":
      return { value: toText(a).toLowerCase().endsWith(toText(b).toLowerCase()) };
    case "format":
      return {
        value: toText(a).replace(/\{\{|\}\}|\{(\d+)\}/g, (match, index: string | undefined) =>
          index === undefined ? (match[0] ?? "") : toText(args[Number(index) + 1] ?? null),
        ),
      };
    case "join":
      return { value: isArray(a) ? a.map(toText).join(args.length > 1 ? toText(b) : ",") : toText(a) };
    case "tojson":
      return { value: JSON.stringify(a, null, 2) };
    case "fromjson":
      try {
        return { value: JSON.parse(toText(a)) as ExpressionValue };
      } catch {
        return { reason: "`fromJSON()` got invalid JSON" };
      }
    default:
      return { reason: `\`${name}()\` is not supported locally` };
  }
}

/** A property or element, case-insensitively for objects; null when missing. */
export function lookup(value: ExpressionValue, key: string): ExpressionValue {
  if (isArray(value)) {
    const index = Number(key);
    return Number.isInteger(index) ? (value[index] ?? null) : null;
  }
  if (value !== null && typeof value === "object") {
    const found = Object.keys(value).find((k) => k.toLowerCase() === key.toLowerCase());
    return found === undefined ? null : (value[found] ?? null);
  }
  return null;
}

/** Any parsed YAML/JSON data as an expression value. */
export function toValue(value: unknown): ExpressionValue {
  if (value === undefined || value === null) return null;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  if (Array.isArray(value)) return value.map(toValue);
  if (typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toValue(v)]));
  return String(value);
}

/** How GitHub turns a value into text inside `${{ }}`. */
export function toText(value: ExpressionValue): string {
  if (value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

export function truthy(value: ExpressionValue): boolean {
  if (value === null || value === false || value === "" || value === 0) return false;
  return !(typeof value === "number" && Number.isNaN(value));
}

/** GitHub's `==`: strings case-insensitively, different types compared as numbers. */
export function looselyEqual(a: ExpressionValue, b: ExpressionValue): boolean {
  if (typeof a === "string" && typeof b === "string") return a.toLowerCase() === b.toLowerCase();
  if (typeof a === "object" && a !== null) return a === b;
  if (typeof b === "object" && b !== null) return false;
  if (typeof a === typeof b) return a === b;
  return toNumber(a) === toNumber(b);
}

export function compare(op: string, a: ExpressionValue, b: ExpressionValue): boolean {
  const [x, y] = typeof a === "string" && typeof b === "string" ? [a.toLowerCase(), b.toLowerCase()] : [toNumber(a), toNumber(b)];
  if (op === "<") return x < y;
  if (op === "<=") return x <= y;
  if (op === ">") return x > y;
  return x >= y;
}

function toNumber(value: ExpressionValue): number {
  if (value === null) return 0;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number") return value;
  if (typeof value === "string") return value.trim() === "" ? 0 : Number(value);
  return Number.NaN;
}

function isArray(value: ExpressionValue): value is readonly ExpressionValue[] {
  return Array.isArray(value);
}
