import { PatchwrightError } from "../errors.ts";
import { SANDBOX_WORKSPACE } from "./sandbox-paths.ts";
import type { Workspace } from "./types.ts";

const LIST_TIMEOUT_MS = 2 * 60_000;

/**
 * Untracked paths (whole directories as `dir/`), listed by git inside the
 * sandbox: host git never reads the workspace. By default those `.gitignore`
 * does not cover: taken right after setup, they are setup's artifacts (a
 * generated lockfile, a `node_modules/` the repository forgot to ignore) and
 * are kept out of every diff and commit. With `ignored`, everything setup
 * left, ignored files included (what a fork of the checkout copies).
 */
export async function listUntracked(workspace: Workspace, options: { ignored?: boolean } = {}): Promise<string[]> {
  const which = options.ignored === true ? "--no-empty-directory" : "--exclude-standard";
  const result = await workspace.sandbox.run(
    `GIT_DIR=${SANDBOX_WORKSPACE}/.git GIT_WORK_TREE=${SANDBOX_WORKSPACE} git -c safe.directory='*' -c core.fsmonitor=false -c core.untrackedCache=false ls-files --others ${which} --directory -z 2>/dev/null`,
    { network: false, timeoutMs: LIST_TIMEOUT_MS },
  );
  if (result.exitCode !== 0 || result.truncated) {
    throw new PatchwrightError("internal", `Listing untracked files failed in the sandbox (exit ${result.exitCode}${result.truncated ? ", output too long" : ""}).`);
  }
  return result.output.split("\0").filter(Boolean);
}
