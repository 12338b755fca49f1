/**
 * Which of the worker's own environment variables host git processes get.
 * They come from the validated environment (`config/env.ts`,
 * `GIT_PASSTHROUGH_NAMES`), handed over once at start-up with
 * `configureHostGit`; workspace code never reads `process.env`.
 */
import { GIT_PASSTHROUGH_NAMES } from "../config/env.ts";

/** The passthrough values host git gets; an absent name is not set for git either. */
export type GitHostEnv = Readonly<Record<string, string>>;

/** Before start-up configures it (tools, benchmarks, tests): the system's binaries, no proxy. */
const UNCONFIGURED: GitHostEnv = { PATH: "/usr/local/bin:/usr/bin:/bin" };

/**
 * Picks the passthrough variables out of an environment-shaped record. Other
 * names are dropped, so a caller passing more cannot widen what git sees.
 */
export function gitHostEnvFrom(source: Readonly<Record<string, string | undefined>>): GitHostEnv {
  const picked: Record<string, string> = {};
  for (const name of GIT_PASSTHROUGH_NAMES) {
    const value = source[name];
    if (value !== undefined) picked[name] = value;
  }
  return picked;
}

let configured: GitHostEnv | undefined;

/** Sets, once at start-up, the passthrough variables of every host git process. */
export function configureHostGit(passthrough: Readonly<Record<string, string | undefined>>): void {
  configured = gitHostEnvFrom(passthrough);
}

/** The configured passthrough, or the system's binaries alone. */
export function configuredHostGitEnv(): GitHostEnv {
  return configured ?? UNCONFIGURED;
}
