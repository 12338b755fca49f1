/** Maps a `RunOptions.cwd` (relative to the workspace) to a path, refusing escapes. */
import path from "node:path";
import { PatchwrightError } from "../errors.ts";

/**
 * Joins `cwd` onto `base` (the workspace as the command sees it).
 * @throws PatchwrightError `policy_violation` when `cwd` is absolute or leaves the workspace.
 */
export function resolveSandboxCwd(base: string, cwd: string | undefined): string {
  if (cwd === undefined || cwd === "" || cwd === ".") return base;
  const relative = path.posix.normalize(cwd.replaceAll("\\", "/"));
  if (path.posix.isAbsolute(relative) || relative === ".." || relative.startsWith("../")) {
    throw new PatchwrightError(
      "policy_violation",
      `Command working directory "${cwd}" is outside the workspace; pass a path relative to the repository root.`,
    );
  }
  return path.posix.join(base, relative);
}
