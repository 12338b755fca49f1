/**
 * The npm cache of one repository, shared by its jobs' sandboxes: a directory
 * in the repository's cache (`<cacheRoot>/<key>/npm`), bind-mounted writable
 * at npm's default location inside the sandbox and named by `npm_config_cache`
 * too. Keyed like the mirror, so it is never shared across repositories or
 * installations. Jobs of one repository do share it: what one job's install
 * wrote, the next one reads (npm checks tarballs against the lockfile's
 * integrity hashes).
 */
import type { RepoCachePaths } from "./mirror-cache-paths.ts";
import type { ExtraBind } from "./sandbox-extra-binds.ts";
import type { Sandbox } from "./types.ts";

/**
 * Where the cache appears inside the sandbox: npm's default (`$HOME/.npm`,
 * HOME being `/tmp/home`), so the variable is right even where the bind is
 * missing (a private cache on the sandbox's /tmp, as before).
 */
export const SANDBOX_NPM_CACHE = "/tmp/home/.npm";

/** The bind that gives a bubblewrap sandbox this repository's npm cache (`createSandbox`'s `extraBinds`). */
export function npmCacheBind(paths: RepoCachePaths): ExtraBind {
  return { hostPath: paths.npmCacheDir, sandboxPath: SANDBOX_NPM_CACHE, writable: true };
}

/**
 * The sandbox with `npm_config_cache` set for every command (a command's own
 * `env` wins). Without bubblewrap (`isolation: "host"`) there is no bind, so
 * the variable names the host directory itself.
 */
export function withNpmCache(sandbox: Sandbox, paths: RepoCachePaths): Sandbox {
  const cache = sandbox.isolation === "host" ? paths.npmCacheDir : SANDBOX_NPM_CACHE;
  return {
    ...sandbox,
    run: (command, options = {}) => sandbox.run(command, { ...options, env: { npm_config_cache: cache, ...options.env } }),
  };
}
