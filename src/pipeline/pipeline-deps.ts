import type { Logger } from "pino";
import type { RepoConfig } from "../config/repo-config.ts";
import type { Octokit } from "../github/types.ts";
import type { JobPayload } from "../queue/job.ts";
import type { Evidence } from "./1-gather-evidence.ts";
import type { Redactor } from "../security/redact.ts";
import type { CommandResult, Sandbox } from "../workspace/types.ts";

/** A cloned repository at the commit under repair, with its sandbox. */
export interface Workspace {
  readonly dir: string;
  readonly sandbox: Sandbox;
  dispose(): Promise<void>;
}

export interface WorkspaceDiff {
  patch: string;
  files: { path: string; status: string; insertions: number; deletions: number; binary: boolean }[];
  insertions: number;
  deletions: number;
}

/** One agent run's brief: what it knows, what it may do, what it may spend. */
export interface FixRequest {
  /** The investigator only reads and diagnoses; fixers edit their own workspace. */
  role: "investigator" | "fixer";
  /** Which of the parallel fixers this is (fixers vary their strategy and temperature). */
  candidate?: { index: number; of: number };
  workspace: Workspace;
  repoFullName: string;
  config: RepoConfig;
  protectedPaths: readonly string[];
  failingCommand: string;
  failingResult: CommandResult;
  evidence: string;
  /** The investigator's diagnosis, handed to the fixers (a compact handoff, not a transcript). */
  diagnosis?: string;
  /** AGENTS.md / copilot instructions from the default branch, plus the config's `instructions`. */
  repoInstructions: string;
  /** `/agent fix` text and the issue it was posted on, if any. */
  request?: { instructions: string; issue?: { title: string; body: string } };
  /** True when the tests are green and the agent must first write a failing test. */
  issueMode: boolean;
  limits: { turns: number; tokens: number; deadlineMs: number };
  signal: AbortSignal;
  onEvent(kind: string, data: unknown): void;
}

export interface FixOutcome {
  status: string;
  summary: string;
  turns: number;
  usage: { promptTokens: number; completionTokens: number };
  /** Condensed tool calls and results, for the PR body. */
  trace: string[];
}

/** Side-effect adapters the pipeline runs on; `main.ts` wires the real ones, tests their own. */
export interface PipelineDeps {
  log: Logger;
  redact: Redactor;
  /** An installation-authenticated Octokit. */
  octokitFor(installationId: number): Promise<Octokit>;
  /** A repository-scoped installation token for git (host side only). */
  mintToken(installationId: number, repoName: string): Promise<string>;
  /** The commit identity of the app's bot user (looked up with an installation Octokit). */
  botIdentity(octokit: Octokit): Promise<{ name: string; email: string }>;
  gatherEvidence(octokit: Octokit, payload: JobPayload): Promise<Evidence>;
  openWorkspace(args: { cloneUrl: string; sha: string; token: string; installationId: number }): Promise<Workspace>;
  /** Untracked, not ignored paths: taken after setup, they are left out of diffs and commits. */
  untracked(dir: string): Promise<string[]>;
  diff(dir: string, baseSha: string, exclude: readonly string[]): Promise<WorkspaceDiff>;
  commitAll(dir: string, message: string, author: { name: string; email: string }, exclude: readonly string[]): Promise<string>;
  pushBranch(args: { dir: string; cloneUrl: string; branch: string; token: string }): Promise<void>;
  /** Runs one agent role (investigator or fixer) to its end. */
  fix(request: FixRequest): Promise<FixOutcome>;
  /** A second workspace at the same commit, with the first one's installed dependencies. */
  forkWorkspace(base: Workspace, sha: string, token: string, cloneUrl: string, installationId: number): Promise<Workspace>;
  ledger(jobId: number, kind: string, data: unknown): void;
  /** Model spending, for the per-repository daily budget and the PR's cost line. */
  usage: {
    modelName: string;
    cost(usage: { promptTokens: number; completionTokens: number }): number;
    /** Dollars a budget buys in tokens at worst (Infinity for an unpriced model). */
    tokensFor(dollars: number): number;
    record(jobId: number, repo: string, tokens: number, costUsd: number): void;
    since(repo: string, since: number): { tokens: number; costUsd: number };
  };
  now(): number;
}
