import type { Logger } from "pino";
import { ProbotOctokit } from "probot";

/** Retries of one request on a rate limit before its error is thrown (and the job's own retry takes over). */
export const RATE_LIMIT_RETRIES = 3;

type LimitHandler = (retryAfter: number, options: { method: string; url: string }, octokit: { log: Pick<Logger, "warn"> }, retryCount: number) => boolean;

/** Waits out a limit (the plugin waits `retryAfter` seconds), a few times per request. */
function retryAfterLimit(kind: string): LimitHandler {
  return (retryAfter, options, octokit, retryCount) => {
    const retry = retryCount < RATE_LIMIT_RETRIES;
    octokit.log.warn({ method: options.method, url: options.url, retryAfter, retryCount }, retry ? `GitHub ${kind}: retrying in ${retryAfter} s` : `GitHub ${kind}: giving up`);
    return retry;
  };
}

/**
 * Probot's Octokit with GitHub's etiquette completed. What the plugins
 * already do (checked in `test/github/github-etiquette.test.ts`):
 * `@octokit/plugin-retry` retries 5xx and connection failures (which Octokit
 * reports as 500) three times, and never 400, 401, 403, 404, 410, 422 or 451;
 * `@octokit/plugin-throttling` paces writes and, on a primary rate limit
 * (`x-ratelimit-remaining: 0`), waits until `x-ratelimit-reset`, and on a
 * secondary one (403 or 429) waits `retry-after` — if its handler says so.
 * Probot's own handler for secondary limits only logs: the request then fails.
 * Here both limits are waited out, up to `RATE_LIMIT_RETRIES` times.
 *
 * The function form of `defaults`: Probot passes its own `throttle` options,
 * which replace an object default.
 */
export const GitHubOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => {
  const throttle = options["throttle"] as Record<string, unknown> | undefined;
  if (throttle?.["enabled"] === false) return options;
  return { ...options, throttle: { ...throttle, onRateLimit: retryAfterLimit("rate limit"), onSecondaryRateLimit: retryAfterLimit("secondary rate limit") } };
});
