import type { RepoConfig } from "../../config/repo-config.ts";
import type { DiffPolicy } from "../../security/check-diff-policy.ts";
import type { Redactor } from "../../security/redact.ts";

/**
 * The job's diff policy, built once: the repository's protected paths (the
 * built-in ones always apply on top), size cap and deletions. Lockfiles only
 * for a dependency upgrade, whose point is a new lockfile.
 */
export function diffPolicyFor(config: RepoConfig, redact: Redactor, options: { lockfiles: boolean; protect?: readonly string[] }): DiffPolicy {
  return {
    protectedPaths: [...config.protected_paths, ...(options.protect ?? [])],
    maxChangedLines: config.max_diff_lines,
    allowDeletions: config.allow_deletions,
    allowLockfiles: options.lockfiles,
    redact,
  };
}
