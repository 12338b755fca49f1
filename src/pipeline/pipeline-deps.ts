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

/** What the agent stage needs to know, and what it comes back with. */
export interface FixRequest {
  workspace: Workspace;
  repoFullName: string;
  config: RepoConfig;
  protectedPaths: readonly string[];
  failingCommand: string;
  failingResult: CommandResult;
  evidence: string;
  /** `/agent fix` text and the issue it was posted on, if any. */
  request?: { instructions: string; issue?: { title: string; body: string } };
  /** True when the tests are green and the agent must first write a failing test. */
  issueMode: boolean;
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
  openWorkspace(args: { cloneUrl: string; sha: string; token: string }): Promise<Workspace>;
  diff(dir: string, baseSha: string): Promise<WorkspaceDiff>;
  commitAll(dir: string, message: string, author: { name: string; email: string }): Promise<string>;
  pushBranch(args: { dir: string; cloneUrl: string; branch: string; token: string }): Promise<void>;
  fix(request: FixRequest): Promise<FixOutcome>;
  ledger(jobId: number, kind: string, data: unknown): void;
  now(): number;
}
