/**
 * The recipe contract: a known, mechanical fix for a known failure, found
 * without the model (zero tokens). A recipe only decides, from the failing
 * command and its output; `run-recipes.ts` runs what it decided in the
 * sandbox and keeps the result only if the failing command then passes.
 */

/** What failed: the command as the sandbox ran it, and its output (stdout and stderr merged). */
export interface Failure {
  readonly command: string;
  readonly output: string;
}

/** One fixing command, run by `bash -c` in the sandbox. */
export interface RecipeCommand {
  readonly command: string;
  /** Directory relative to the workspace root (the failed step's); default the root. */
  readonly cwd?: string;
  /**
   * Needs the package registry (for example regenerating a lockfile). Default
   * false: recipes run the repository's own, already installed tools offline.
   */
  readonly network?: boolean;
}

/** A recipe's decision: what to run, and how to explain it in the pull request. */
export interface RecipeMatch {
  /** Run in order; the first that exits non-zero ends the attempt. */
  readonly commands: readonly RecipeCommand[];
  /**
   * For people (PR body, commit message): first line short, e.g.
   * "Ran `prettier --write` on the 2 files `prettier --check` reported".
   */
  readonly description: string;
}

export interface Recipe {
  /** Stable identifier, recorded in the ledger (`prettier`, `npm-lockfile`). */
  readonly name: string;
  /** Pure: null unless this failure is one the recipe knows how to fix. */
  matches(failure: Failure): RecipeMatch | null;
}
