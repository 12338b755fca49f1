import type { WorkspaceDiff } from "../pipeline/pipeline-deps.ts";
import { findProtectedMatch } from "./protected-paths.ts";

export interface DiffPolicy {
  /** Repository globs added to the built-in protected paths. */
  protectedPaths: readonly string[];
  /** Most lines added + removed a fix may have. */
  maxChangedLines: number;
}

/**
 * Checks a candidate diff before anything is pushed. The agent's tools already
 * refuse protected paths; this catches what a command in the sandbox changed.
 * Returns the violations, each a sentence for the report (empty = allowed).
 */
export function checkDiffPolicy(diff: WorkspaceDiff, policy: DiffPolicy): string[] {
  const violations: string[] = [];
  if (diff.files.length === 0) violations.push("the change is empty");
  for (const file of diff.files) {
    const glob = findProtectedMatch(file.path, policy.protectedPaths);
    if (glob !== undefined) violations.push(`\`${file.path}\` is protected (matches \`${glob}\`)`);
    if (file.binary) violations.push(`\`${file.path}\` is a binary file`);
  }
  const changed = diff.insertions + diff.deletions;
  if (changed > policy.maxChangedLines)
    violations.push(`the change has ${changed} changed lines, over the cap of ${policy.maxChangedLines}`);
  return violations;
}
