import type { Logger } from "pino";
import type { FixOutcome, FixRequest } from "../agent/fix-request.ts";
import type { Evidence, EvidenceReads, FailedWorkflowJob } from "../evidence/gather-evidence.ts";
import type { RepoGitHub } from "../github/repo-github.ts";
import type { FailureSource, RepoRef } from "../queue/job.ts";
import type { Redactor } from "../security/redact.ts";
import type { PushedOntoBranch, PushOntoBranchOptions } from "../workspace/push-onto-branch.ts";
import type { ToolchainProvider } from "../toolchains/create-toolchain-provider.ts";
import type { Workspace, WorkspaceDiff } from "../workspace/types.ts";

/** A commit author. */
export interface Identity {
  name: string;
  email: string;
}

/** Side-effect adapters the pipeline runs on; `create-pipeline-deps.ts` wires the real ones, tests their own. */
export interface PipelineDeps {
  log: Logger;
  redact: Redactor;
  now(): number;
  /** GitHub as one installation sees one repository: every read and write of a job. */
  github(installationId: number, repo: RepoRef): Promise<RepoGitHub>;
  /**
   * A repository-scoped installation token for git (host side only), with its
   * expiry when known (epoch ms): a long job mints a fresh one before it runs out.
   */
  mintToken(installationId: number, repoName: string): Promise<string | { token: string; expiresAt?: number }>;
  /** The commit identity of the app's bot user. */
  botIdentity(installationId: number): Promise<Identity>;
  /** The failure's evidence, distilled for the model. */
  gatherEvidence(reads: EvidenceReads, sources: readonly FailureSource[], options?: { onFailedJobs?: (jobs: readonly FailedWorkflowJob[]) => void }): Promise<Evidence>;
  openWorkspace(args: { cloneUrl: string; sha: string; token: string; installationId: number }): Promise<Workspace>;
  /** A second workspace at the same commit, with the first one's installed dependencies. */
  forkWorkspace(base: Workspace, args: { cloneUrl: string; sha: string; token: string; installationId: number }): Promise<Workspace>;
  /** Untracked, not ignored paths: taken after setup, they are left out of diffs and commits. */
  untracked(workspace: Workspace): Promise<string[]>;
  /** The workspace's change since `baseSha`, `exclude` left out; its `tree` is what a commit of it holds. */
  diff(workspace: Workspace, baseSha: string, exclude: readonly string[]): Promise<WorkspaceDiff>;
  /** Commits `tree` (a diff's) on the workspace's HEAD as `author`; returns the commit's sha. */
  commit(workspace: Workspace, tree: string, message: string, author: Identity): Promise<string>;
  /** Pushes the workspace's HEAD (its last `commit`) from the host's repository. */
  pushBranch(args: { dir: string; cloneUrl: string; branch: string; token: string }): Promise<void>;
  /**
   * Commits a verified tree on top of `branch` and pushes it only while the
   * branch is still at `expectedSha` (a compare-and-swap, never a force); the
   * default branch is refused. Absent (the CLI): fixes are always pull requests.
   */
  pushOntoBranch?(args: PushOntoBranchOptions): Promise<PushedOntoBranch>;
  /** Provisions the toolchains a job's CI set up (host cache, read-only); absent: the sandbox's own tools only. */
  toolchains?: ToolchainProvider;
  /** The Python package index setup installs from (PATCHWRIGHT_PYTHON_INDEX); absent: PyPI. */
  pythonIndex?: string;
  /** `host` / `host:port` entries the setup network allows on top of the registries (PATCHWRIGHT_SETUP_ALLOWED_HOSTS). */
  setupAllowedHosts?: readonly string[];
  /**
   * A job's acknowledgement id as the store has it now: an acknowledgement
   * that ran after the job was leased (a burst) is seen when the job starts,
   * so the job does not open a second check run. Absent: the leased record's.
   */
  ackIdOf?(jobId: number): Promise<number | null>;
  /** Opens a job's workspace while its evidence is fetched (`PATCHWRIGHT_SPECULATE`); default: one after the other. */
  speculate?: boolean;
  /** Fetches a commit into the repository's mirror ahead of its job (`prepare-job.ts`); absent: no mirror to fill. */
  prefetch?(args: { cloneUrl: string; sha: string; token: string; installationId: number }): Promise<string>;
  /**
   * A job's check run shows its stage as it goes, and its spend at most this
   * often (ms) between stages. Absent: no progress on the check run (the CLI
   * shows its own; pipeline tests count every check-run write).
   */
  progressEveryMs?: number;
  /** Runs one agent role (investigator or fixer) to its end. */
  fix(request: FixRequest): Promise<FixOutcome>;
  ledger(jobId: number, kind: string, data: unknown): void;
  /** A job left a stage after `seconds` (for metrics; the ledger has a `stage` entry too). */
  stageEnded?(kind: string, stage: string, seconds: number): void;
  /** Model spending, for the per-repository daily budget and the PR's cost line. */
  usage: {
    modelName: string;
    cost(usage: { promptTokens: number; completionTokens: number }): number;
    /** Dollars a budget buys in tokens at worst (Infinity for an unpriced model). */
    tokensFor(dollars: number): number;
    record(jobId: number, repo: string, tokens: number, costUsd: number): void;
    since(repo: string, since: number): Promise<{ tokens: number; costUsd: number }>;
  };
}
