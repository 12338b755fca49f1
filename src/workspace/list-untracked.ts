import { PatchwrightError } from "../errors.ts";
import { runGit } from "./run-git.ts";

/**
 * Untracked paths that `.gitignore` does not cover (whole directories as
 * `dir/`). Taken right after setup, they are setup's artifacts (a generated
 * lockfile, a `node_modules/` the repository forgot to ignore) and are kept
 * out of every diff and commit.
 */
export async function listUntracked(dir: string): Promise<string[]> {
  const result = await runGit(["ls-files", "--others", "--exclude-standard", "--directory", "-z"], { cwd: dir });
  if (result.exitCode !== 0) throw new PatchwrightError("internal", `Listing untracked files failed: ${result.stderr.trim()}`);
  return result.stdout.split("\0").filter(Boolean);
}
