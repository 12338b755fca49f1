/** The contract between reproduction planning, the runner and the pipeline. */
import type { StepContext } from "./evaluate-expression.ts";


/**
 * The parts of a step that can only be evaluated while the plan runs: they
 * reference `steps.*` (outputs, outcomes) or `env.*` that earlier steps may
 * set through `$GITHUB_ENV`. Raw templates; `runPlan` interpolates them with
 * the runner state gathered so far. Absent keys were resolved at plan time.
 */
export interface DeferredTemplates {
  /** The `run:` script. */
  readonly run?: string;
  /** The step-level `env:` entries that need run time (they override `env`). */
  readonly env?: Readonly<Record<string, string>>;
  /** The `if:` condition (only when the jobs API did not say whether the step ran). */
  readonly if?: string;
  /** The `working-directory`, jailed to the checkout at run time. */
  readonly workingDirectory?: string;
  /** What the expressions see besides the runner state: the plan-time contexts of the step. */
  readonly context: DeferredContext;
}

export interface DeferredContext {
  readonly matrix: Readonly<Record<string, unknown>>;
  readonly github: Readonly<Record<string, string>>;
  readonly runner: Readonly<Record<string, string>>;
  /** The step's `env` context as planned (workflow → job → step); `$GITHUB_ENV` values go under it. */
  readonly env: Readonly<Record<string, string>>;
  /** `steps.<id>` known at plan time: actions before this step (unknown: not run here) and steps skipped in CI (`skipped`). */
  readonly steps: Readonly<Record<string, StepContext>>;
  /** Whether an action that may set variables (a toolchain or `other` one) ran before: `env.X` unset here is then unknown, not empty. */
  readonly actionsSetEnv: boolean;
}

/** One command to run in the sandbox, as CI ran it. */
export interface PlannedStep {
  /** The step's display name, as GitHub shows it (`Run npm test`). */
  readonly name: string;
  /** The step's `id:`, when set: its outputs and outcome become `steps.<id>.*` for later steps. */
  readonly id?: string;
  /** The script, expressions substituted (`secrets.*` and unknowns are empty); for a deferred `run`, its plan-time preview. */
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
  /** Templates evaluated while the plan runs (see `DeferredTemplates`); absent when everything was known at plan time. */
  readonly deferred?: DeferredTemplates;
}

/** An action step (`uses:`) as the toolchain resolver wants it. */
export interface SetupAction {
  /** `actions/setup-node@v4`, as written. */
  readonly uses: string;
  /** Its `with:` inputs, expressions substituted with what is known at plan time. */
  readonly with: Readonly<Record<string, string>>;
  /** The step's display name (`Set up Node`). */
  readonly step: string;
}

/**
 * What an action means for a reproduction:
 * - `toolchain`: sets up a language or package manager (provided by Patchwright's toolchain layer);
 * - `checkout`: `actions/checkout` (the workspace already is the checkout);
 * - `cache`: `actions/cache` (a cache miss: dependencies are installed fresh);
 * - `neutral`: cannot change test results (uploads, coverage reports, labels);
 * - `other`: anything else: not run, so the reproduction is not exact.
 */
export type ActionKind = "toolchain" | "checkout" | "cache" | "neutral" | "other";

/** An action step that ran in CI before the failed step. Not run here. */
export interface PlannedAction extends SetupAction {
  readonly kind: ActionKind;
  /** The step's `id:`, when set (its outputs are unknown to later steps). */
  readonly id?: string;
  /** Why some `with:` inputs are not CI's (an unknown expression); absent when all are. */
  readonly unresolved?: readonly string[];
}

/** Something of the CI job the reproduction does not do as CI did, and what it does instead. */
export interface Approximation {
  /** The step's display name, or the job-level thing (`services`, `container`, `runs-on`). */
  readonly step: string;
  /** How it is approximated: `not run`, `provided by the toolchain layer`, ... */
  readonly how: string;
}

export interface ReproductionPlan {
  /** Where the steps come from: the failed workflow job, `.github/patchwright.yml`, or package.json. */
  readonly source: "workflow" | "config" | "package.json";
  /** One line for people: what is reproduced (job, combination, failed step). */
  readonly description: string;
  /** In order; the last one is the step that failed in CI (or the test command). */
  readonly steps: readonly PlannedStep[];
  /** Skipped steps, fallbacks taken, actions not run, and why. */
  readonly notes: readonly string[];
  /**
   * True when every step is faithful, no `other` action ran before the failed
   * step and the job's environment is CI's (OS, container, services). Toolchain
   * actions do not count: the caller decides once toolchains are provisioned.
   */
  readonly exact: boolean;
  /** Variables the GitHub runner provides (`GITHUB_ACTIONS`, `GITHUB_SHA`, ...); steps' `env` wins. */
  readonly runnerEnv: Readonly<Record<string, string>>;
  /** Action steps that ran in CI before the failed step, in order (`toolchainActions` picks the toolchain ones). */
  readonly actions: readonly PlannedAction[];
  /** What is approximated, with how; toolchain actions say `provided by the toolchain layer`. */
  readonly approximations: readonly Approximation[];
  /**
   * The environment every step of the failed job shares: the runner's
   * variables, then the workflow's and the job's `env:` resolved. For
   * commands outside the plan (fixers, recipes); see `jobCommand`.
   */
  readonly jobEnv: Readonly<Record<string, string>>;
  /** The job's default shell template (`defaults.run.shell`, else the runner's `bash -e {0}`). */
  readonly jobShell: string;
  /** The job's default working directory relative to the workspace root (`.` for the root). */
  readonly jobCwd: string;
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
