import type { z } from "zod";
import type { Redactor } from "../../security/redact.ts";
import type { Sandbox } from "../../workspace/types.ts";

/** What every tool may use. Built once per agent run by the caller. */
export interface ToolContext {
  /** Absolute host path of the workspace (the repository checkout). */
  readonly root: string;
  /** The only way a tool runs a process. */
  readonly sandbox: Sandbox;
  /** The repository's `protected_paths` globs; `BUILTIN_PROTECTED_PATHS` always apply on top. */
  readonly protectedPaths: readonly string[];
  /** Applied to every observation before it reaches the model. */
  readonly redact: Redactor;
  /** Timeout of one `run_command`. Default `DEFAULT_COMMAND_TIMEOUT_MS`; the loop lowers it near the deadline. */
  readonly commandTimeoutMs?: number;
  /**
   * Aborted when the call must stop: the job was stopped or the agent's
   * deadline passed. `run_command` kills its command, `search` stops early;
   * the registry answers an aborted call with an observation at once.
   */
  readonly signal?: AbortSignal;
}

/** What a tool hands back: an observation for the model, never an exception. */
export interface ToolOutcome {
  /** False when the call was refused or failed (the trace shows it; the model reads `output`). */
  readonly ok: boolean;
  readonly output: string;
  /** Set by `finish` only. */
  readonly finished?: { readonly summary: string };
}

/**
 * One tool offered to the model. `run` receives arguments already validated by
 * `schema`; it may still throw on an unexpected I/O error, which the registry
 * turns into an observation.
 */
export interface AgentTool<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  /** Shown to the model: what the tool does and its limits. */
  readonly description: string;
  readonly schema: S;
  // Method syntax on purpose: it lets tools with specific schemas live in one `AgentTool[]`.
  run(args: z.output<S>, context: ToolContext): Promise<ToolOutcome>;
}

/** Default `run_command` timeout: long enough for a test suite, short enough to leave budget for fixing. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 5 * 60_000;
