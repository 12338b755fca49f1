import { matchGlob, normalizeRelative } from "./match-glob.ts";

/** Never changed by a fix, whatever the repository configures: CI itself, git internals, secrets. */
export const BUILTIN_PROTECTED_PATHS: readonly string[] = [".github/workflows/**", ".git/**", "**/.env", "**/.env.*"];

/**
 * Returns the glob that protects `path` (repository-relative), or undefined
 * when the agent may change it. The built-in list always applies, whatever the
 * repository adds. Matching ignores case: a checkout on a case-insensitive file
 * system would otherwise let `.GitHub/Workflows/ci.yml` through.
 */
export function findProtectedMatch(path: string, extraGlobs: readonly string[] = []): string | undefined {
  const normalized = normalizeRelative(path);
  for (const glob of [...BUILTIN_PROTECTED_PATHS, ...extraGlobs]) {
    if (matchGlob(glob, normalized, { nocase: true })) return glob;
  }
  return undefined;
}
