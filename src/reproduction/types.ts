/** The contract between reproduction planning, the runner and the pipeline. */

/** One command to run in the sandbox, as CI ran it. */
export interface PlannedStep {
  /** The step's display name, as GitHub shows it (`Run npm test`). */
  readonly name: string;
  /** The script, expressions substituted (`secrets.*` and unknowns are empty). */
  readonly command: string;
  /** Shell template with `{0}` for the script, e.g. `bash -e {0}`; `bash {0}` is a plain `bash -c`. */
  readonly shell: string;
  /** Working directory relative to the workspace root, `.` for the root; never escapes it. */
  readonly cwd: string;
  /** Environment of the step: workflow → job → step `env:` (later levels win). */
  readonly env: Readonly<Record<string, string>>;
  /** Why this step may not behave as in CI; absent when it is faithful. */
  readonly inexact?: string;
  /** Network access: only for dependency installation (the setup phase). */
  readonly network: boolean;
  /** `continue-on-error: true`: a failure does not stop the reproduction. */
  readonly continueOnError?: boolean;
  /** The step's `timeout-minutes`, when set. */
  readonly timeoutMs?: number;
}

export interface ReproductionPlan {
  /** Where the steps come from: the failed workflow job, `.github/patchwright.yml`, or package.json. */
  readonly source: "workflow" | "config" | "package.json";
  /** One line for people: what is reproduced (job, combination, failed step). */
  readonly description: string;
  /** In order; the last one is the step that failed in CI (or the test command). */
  readonly steps: readonly PlannedStep[];
  /** Toolchain mismatches, skipped actions, fallbacks taken, and why. */
  readonly notes: readonly string[];
  /** True when every step is faithful and nothing in `notes` makes the environment differ from CI. */
  readonly exact: boolean;
  /** Variables the GitHub runner provides (`GITHUB_ACTIONS`, `GITHUB_OUTPUT`, ...); steps' `env` wins. */
  readonly runnerEnv: Readonly<Record<string, string>>;
}

/** Versions of the toolchains available in the sandbox, e.g. `{ node: "20.19.0", python: "3.11.7" }`. */
export interface LocalToolchain {
  readonly node?: string;
  readonly python?: string;
}

/** What is known about the commit under repair, for `github.*` expressions and `GITHUB_*` variables. */
export interface GithubFacts {
  /** The failing commit. */
  readonly sha: string;
  /** Branch or tag name (`github.ref_name`). */
  readonly refName?: string;
  /** Full ref (`refs/heads/main`). */
  readonly ref?: string;
  /** `owner/name`. */
  readonly repository?: string;
  /** The event that triggered the run (`push`, `pull_request`). */
  readonly eventName?: string;
  readonly headRef?: string;
  readonly baseRef?: string;
}
