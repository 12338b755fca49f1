import type { RepoConfig } from "../config/repo-config.ts";
import type { CommandResult, Workspace } from "../workspace/types.ts";

/** Tokens one model call used. */
export interface ModelUsage {
  promptTokens: number;
  completionTokens: number;
  /** Of completionTokens, spent on reasoning (priced as `reasoning`, else as output). */
  reasoningTokens?: number;
  /** Of promptTokens, read from the provider's prompt cache (priced as `cached_input`). */
  cachedPromptTokens?: number;
}

/**
 * Changes asked for on the app's own pull request (or one it committed a fix
 * to): by a submitted review (its text is the request's `instructions`, its
 * inline comments these) or by `/agent fix <what to change>` in the thread. All of it is untrusted.
 */
export interface ReviewRequest {
  via: "review" | "comment";
  author: string;
  comments: readonly { path: string; line?: number | undefined; body: string }[];
}

/** One agent run's brief: what it knows, what it may do, what it may spend. */
export interface FixRequest {
  /** The investigator only reads and diagnoses; fixers edit their own workspace. */
  role: "investigator" | "fixer";
  /** Which of the parallel fixers this is (fixers vary their strategy, and their sampling where the model allows). */
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
  /** `/agent fix` text (or a review's own text) and the issue it was posted on, if any. */
  request?: { instructions: string; issue?: { title: string; body: string }; review?: ReviewRequest };
  /** True when the tests are green and the agent must first write a failing test. */
  issueMode: boolean;
  limits: { turns: number; tokens: number; deadlineMs: number };
  signal: AbortSignal;
  /** Every step of the run (model calls, tool calls), for the ledger. */
  onEvent(kind: string, data: unknown): void;
  /** Each model call's tokens, as it happens: the job's spend and the daily budget count them. */
  onUsage(usage: ModelUsage): void;
}

/** How one agent run ended. */
export interface FixOutcome {
  status: string;
  summary: string;
  turns: number;
  usage: ModelUsage;
  /** Condensed tool calls and results, for the PR body. */
  trace: string[];
  /**
   * Set when the run ended on a model error (`status: "model_error"`): the
   * provider's message, redacted. Such a run's summary is that message, so it
   * must never become a PR title or summary; report it on the check run instead.
   */
  modelError?: string;
}
