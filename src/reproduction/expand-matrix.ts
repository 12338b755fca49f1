/**
 * `strategy.matrix` expanded into its combinations, with GitHub's rules:
 * the cartesian product of the dimensions, minus every combination that
 * matches an `exclude` entry (partial match), then each `include` entry is
 * merged into every combination whose original values it does not change, or
 * added as a combination of its own when it fits none.
 */
import type { MatrixSpec } from "./parse-workflow.ts";

export type Combination = Readonly<Record<string, unknown>>;

export type ExpandedMatrix = { ok: true; combinations: Combination[] } | { ok: false; error: string };

/** A job without a matrix has one empty combination. */
export function expandMatrix(matrix: MatrixSpec | string | undefined): ExpandedMatrix {
  if (matrix === undefined) return { ok: true, combinations: [{}] };
  if (typeof matrix === "string") return { ok: false, error: `the matrix is computed at run time (\`${matrix.trim()}\`)` };
  const computed = [...matrix.dimensions.filter(([, values]) => typeof values === "string").map(([key]) => key)];
  if (typeof matrix.include === "string") computed.push("include");
  if (typeof matrix.exclude === "string") computed.push("exclude");
  if (computed.length > 0) return { ok: false, error: `the matrix is computed at run time (${computed.map((k) => `\`${k}\``).join(", ")})` };

  let product: Record<string, unknown>[] = [{}];
  for (const [key, values] of matrix.dimensions) {
    product = product.flatMap((base) => (values as readonly unknown[]).map((value) => ({ ...base, [key]: value })));
  }
  if (matrix.dimensions.length === 0) product = [];

  const excludes = matrix.exclude as readonly Combination[];
  const kept = product.filter((combination) => !excludes.some((exclude) => matches(combination, exclude)));
  const originals = kept.map((combination) => ({ ...combination }));
  const added: Record<string, unknown>[] = [];

  for (const entry of matrix.include as readonly Combination[]) {
    let merged = false;
    kept.forEach((combination, i) => {
      const original = originals[i] ?? {};
      // Original values may not be overwritten; values added by an earlier include may.
      const conflicts = Object.entries(entry).some(([key, value]) => key in original && !sameValue(original[key], value));
      if (conflicts) return;
      Object.assign(combination, entry);
      merged = true;
    });
    if (!merged) added.push({ ...entry });
  }
  return { ok: true, combinations: [...kept, ...added] };
}

/** Whether `combination` has every key/value of `partial`. */
function matches(combination: Combination, partial: Combination): boolean {
  return Object.entries(partial).every(([key, value]) => sameValue(combination[key], value));
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) return JSON.stringify(a) === JSON.stringify(b);
  return false;
}
