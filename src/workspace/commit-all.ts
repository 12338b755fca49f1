/** Commits every change in a workspace (tracked, new and deleted files) as the app. */
import { PatchwrightError } from "../errors.ts";
import { redact } from "../security/redact.ts";
import { type GitResult, runGit } from "./run-git.ts";

export interface CommitAuthor {
  readonly name: string;
  readonly email: string;
}

export interface CommitAllOptions {
  readonly dir: string;
  readonly message: string;
  /** Author and committer, e.g. `patchwright[bot]`. */
  readonly author: CommitAuthor;
  /** Paths left out of the commit: what setup created (`node_modules/`, a generated lockfile). */
  readonly exclude?: readonly string[];
}

/**
 * Stages everything (`git add --all`, honouring .gitignore) and commits it on
 * the current HEAD (detached after `cloneAtSha`).
 * @returns the new commit sha.
 * @throws PatchwrightError `internal` (not retryable) when there is nothing to
 *   commit (callers decide from `diffWorkspace` first) or when git fails.
 */
export async function commitAll(options: CommitAllOptions): Promise<string> {
  const { dir } = options;
  const add = await runGit(["add", "--all", "--", ...pathspec(options.exclude)], { cwd: dir });
  if (add.exitCode !== 0) fail("git add", add);

  const staged = await runGit(["diff", "--cached", "--quiet", "--no-ext-diff"], { cwd: dir });
  if (staged.exitCode === 0) {
    throw new PatchwrightError(
      "internal",
      `Nothing to commit in ${dir}: the working tree matches HEAD. Check diffWorkspace() before committing.`,
      { retryable: false },
    );
  }
  if (staged.exitCode !== 1) fail("git diff --cached", staged);

  const identity = {
    GIT_AUTHOR_NAME: options.author.name,
    GIT_AUTHOR_EMAIL: options.author.email,
    GIT_COMMITTER_NAME: options.author.name,
    GIT_COMMITTER_EMAIL: options.author.email,
  };
  // The message goes through stdin: any length, any characters, nothing in argv.
  const commit = await runGit(["-c", "commit.gpgsign=false", "commit", "--quiet", "--no-verify", "--file=-"], {
    cwd: dir,
    env: identity,
    input: options.message,
  });
  if (commit.exitCode !== 0) fail("git commit", commit);

  const head = await runGit(["rev-parse", "HEAD"], { cwd: dir });
  if (head.exitCode !== 0) fail("git rev-parse", head);
  return head.stdout.trim();
}

function fail(step: string, result: GitResult): never {
  throw new PatchwrightError(
    "internal",
    redact(`Committing the fix failed (${step}): ${result.stderr.trim() || `exit code ${result.exitCode}`}.`),
  );
}

/** `.` minus each excluded path, as git pathspecs (literal, from the top of the tree). */
export function pathspec(exclude: readonly string[] = []): string[] {
  return [".", ...exclude.map((p) => `:(exclude,top,literal)${p.replace(/\/$/, "")}`)];
}
