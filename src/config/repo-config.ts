import { z } from "zod";

/**
 * `.github/patchwright.yml`, read from the default branch with Probot's config
 * loader (so `_extends` works). Every field has a safe default: an empty or
 * missing file means "enabled, with the defaults below".
 */
export const RepoConfig = z
  .object({
    /** Set to false to turn Patchwright off for this repository. */
    enabled: z.boolean().default(true),
    commands: z
      .object({
        /** Install step; the only phase with network access (package registries). */
        setup: z.string().min(1).optional(),
        /** The command that must go green. Default: the `test` script of package.json. */
        test: z.string().min(1).optional(),
      })
      .strict()
      .default({}),
    setup: z
      .object({
        /**
         * Hosts the setup phase may reach besides the package registries (`host` for port 443, or
         * `host:port`), e.g. where a postinstall downloads a binary. Added to the operator's list.
         */
        allowed_hosts: z
          .array(z.string().regex(/^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}(?::\d{1,5})?$/i, "a host name like `downloads.example.com` or `host:port`"))
          .max(20)
          .default([]),
      })
      .strict()
      .default({ allowed_hosts: [] }),
    /** Glob patterns the agent may never change. Added to the built-in list. */
    protected_paths: z.array(z.string().min(1)).default([]),
    /** Fix failures on pull requests from this repository (onto the PR's branch). Forks are never fixed. */
    pull_requests: z.boolean().default(true),
    /**
     * How a fix of a failure on a same-repository pull request's branch is delivered: `commit` adds it
     * to that branch (only while the branch has not moved; otherwise a pull request onto it),
     * `pull_request` opens a pull request onto the branch.
     */
    pull_request_fixes: z.enum(["commit", "pull_request"]).default("commit"),
    /** Open pull requests as drafts: a person marks them ready for review (Patchwright never does, nor merges). */
    draft: z.boolean().default(true),
    /** Let a fix delete files (a rename counts as a deletion). Off: a candidate that deletes a file is rejected. */
    allow_deletions: z.boolean().default(false),
    /** Re-runs of a reproduction that passed, to tell a flaky failure from one that does not reproduce. */
    flaky_reruns: z.number().int().min(0).max(5).default(2),
    /** Most lines (added + removed) a fix may change. */
    max_diff_lines: z.number().int().min(1).max(100_000).default(400),
    /**
     * Runs of a job that hits transient errors (GitHub, the model, git over the network) before it is
     * reported failed; also how many review iterations one of Patchwright's pull requests gets before
     * a person is asked to take over.
     */
    max_attempts: z.number().int().min(1).max(10).default(3),
    /** Extra guidance for the agent, from the maintainers. */
    instructions: z.string().max(4000).default(""),
    /** Fixers working in parallel, each in its own workspace; the smallest passing diff wins. */
    candidates: z.number().int().min(1).max(5).default(3),
    /** Agent limits for one job (shared by the investigator and the fixers). */
    budget: z
      .object({
        turns: z.number().int().min(1).max(200).default(30),
        tokens: z.number().int().min(1000).default(400_000),
        minutes: z.number().min(1).max(120).default(20),
        /** Most a job may spend on the model, in US dollars (priced with PATCHWRIGHT_PRICES). */
        cost_usd: z.number().min(0).default(2),
        /** Per repository, over the last 24 hours. */
        daily_tokens: z.number().int().min(0).default(5_000_000),
        daily_cost_usd: z.number().min(0).default(20),
      })
      .strict()
      .default({ turns: 30, tokens: 400_000, minutes: 20, cost_usd: 2, daily_tokens: 5_000_000, daily_cost_usd: 20 }),
  })
  .strict();
export type RepoConfig = z.infer<typeof RepoConfig>;

export type ParsedConfig = { ok: true; config: RepoConfig } | { ok: false; problems: string[] };

/** Validates raw YAML data; problems name the key and the fix. */
export function parseRepoConfig(raw: unknown): ParsedConfig {
  const result = RepoConfig.safeParse(raw ?? {});
  if (result.success) return { ok: true, config: result.data };
  const problems = result.error.issues.map((issue) => {
    const key = issue.path.length > 0 ? issue.path.join(".") : "(top level)";
    return `\`${key}\`: ${issue.message}`;
  });
  return { ok: false, problems };
}
