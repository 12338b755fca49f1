import type { Redactor } from "../security/redact.ts";
import type { ChatMessage, ChatModel, ChatResponse, TokenUsage } from "./chat-model.ts";
import { AGENT_TOOLS, DEFAULT_COMMAND_TIMEOUT_MS, executeToolCall, toToolSpecs } from "./tools/index.ts";
import type { AgentTool, ToolContext } from "./tools/index.ts";
import { TRACE_SHORT_CHARS, TRACE_TEXT_CHARS, clip } from "./trace.ts";
import type { TraceEntry } from "./trace.ts";

export interface AgentLimits {
  /** Model calls allowed (one call = one turn). */
  readonly maxTurns: number;
  /** Prompt plus completion tokens allowed, summed over all calls. */
  readonly maxTokens: number;
  /** Wall-clock budget in milliseconds, counted from the start of `runAgent`. */
  readonly deadlineMs: number;
}

export interface RunAgentOptions {
  readonly model: ChatModel;
  /** The model name sent to the endpoint (`PATCHWRIGHT_MODEL`). */
  readonly modelName: string;
  /** Sampling temperature for every call of this run (endpoint default when absent). */
  readonly temperature?: number;
  /** What the tools work on: workspace, sandbox, protected paths, redactor. */
  readonly tools: ToolContext;
  /** Which tools to offer. Default `AGENT_TOOLS`; the investigator uses `READ_ONLY_TOOLS`. */
  readonly toolset?: readonly AgentTool[];
  readonly system: string;
  readonly user: string;
  readonly limits: AgentLimits;
  /**
   * Called with every trace entry as it happens, and awaited, so the ledger
   * has it even if the worker dies next. An error thrown here ends the run
   * with that error: losing the ledger is not something to carry on through.
   */
  readonly onEvent?: (event: TraceEntry) => void | Promise<void>;
  /** Aborted by `/agent stop` or a superseding commit; checked between any two steps. */
  readonly signal?: AbortSignal;
  /** Clock in ms; injectable for tests. Default `Date.now`. */
  readonly now?: () => number;
}

export type AgentStatus = "finished" | "turns_exhausted" | "tokens_exhausted" | "deadline" | "cancelled" | "model_error";

export interface AgentResult {
  readonly status: AgentStatus;
  /** The model's `finish` summary, or why the run stopped. Redacted. */
  readonly summary: string;
  readonly turns: number;
  readonly usage: TokenUsage;
  readonly trace: readonly TraceEntry[];
}

/** Consecutive replies without a tool call that get a nudge before the run gives up. */
export const MAX_NUDGES = 2;

export const NUDGE_MESSAGE =
  "You replied without calling a tool. Work only through the tools: investigate, edit, run the test command, then call finish with a summary. If you cannot fix the problem, call finish and say why.";

/**
 * The agent loop over Chat Completions with function tools. Each turn sends
 * the (redacted) conversation, runs every tool call of the reply in order and
 * answers each with an observation. Ends on `finish`, on a limit, on
 * cancellation, or on a model failure — it never throws for those.
 */
export async function runAgent(options: RunAgentOptions): Promise<AgentResult> {
  const { model, limits, signal } = options;
  const now = options.now ?? Date.now;
  const redact: Redactor = options.tools.redact;
  const toolset = options.toolset ?? AGENT_TOOLS;
  const specs = toToolSpecs(toolset);
  const deadlineAt = now() + limits.deadlineMs;
  const trace: TraceEntry[] = [];
  const messages: ChatMessage[] = [
    { role: "system", content: redact(options.system) },
    { role: "user", content: redact(options.user) },
  ];
  let usage: TokenUsage = { promptTokens: 0, completionTokens: 0 };
  let turns = 0;
  let nudges = 0;

  const record = async (entry: TraceEntry): Promise<void> => {
    trace.push(entry);
    await options.onEvent?.(entry);
  };
  const end = (status: AgentStatus, summary: string): AgentResult => ({ status, summary: redact(summary), turns, usage, trace });
  const cancelled = () => end("cancelled", `Cancelled after ${turns} turn(s).`);

  for (;;) {
    if (signal?.aborted) return cancelled();
    if (now() >= deadlineAt) return end("deadline", `The time budget (${Math.round(limits.deadlineMs / 1000)}s) ran out after ${turns} turn(s).`);
    if (turns >= limits.maxTurns) return end("turns_exhausted", `The turn budget (${limits.maxTurns}) ran out before the model called finish.`);
    const spent = usage.promptTokens + usage.completionTokens;
    if (spent >= limits.maxTokens) return end("tokens_exhausted", `The token budget (${limits.maxTokens}) ran out after ${turns} turn(s) (${spent} tokens).`);

    turns++;
    // The deadline also interrupts a slow model call, not only the gaps between calls.
    const deadlineSignal = AbortSignal.timeout(Math.max(1, deadlineAt - now()));
    const callSignal = signal ? AbortSignal.any([signal, deadlineSignal]) : deadlineSignal;
    const startedAt = now();
    let response: ChatResponse;
    try {
      response = await model.complete({
        model: options.modelName,
        messages,
        tools: specs,
        signal: callSignal,
        ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
      });
    } catch (error) {
      if (signal?.aborted) return cancelled();
      if (deadlineSignal.aborted) return end("deadline", `The time budget ran out during a model call (turn ${turns}).`);
      const message = redact(error instanceof Error ? error.message : String(error));
      await record({ kind: "model_error", turn: turns, latencyMs: now() - startedAt, message });
      return end("model_error", message);
    }
    usage = {
      promptTokens: usage.promptTokens + response.usage.promptTokens,
      completionTokens: usage.completionTokens + response.usage.completionTokens,
    };
    const content = response.message.content === null ? null : redact(response.message.content);
    const toolCalls = response.message.toolCalls.map((call) => ({ ...call, arguments: redact(call.arguments) }));
    messages.push({ role: "assistant", content, toolCalls });
    await record({
      kind: "model_call",
      turn: turns,
      latencyMs: now() - startedAt,
      promptTokens: response.usage.promptTokens,
      completionTokens: response.usage.completionTokens,
      usageEstimated: response.usageEstimated,
      text: content === null ? null : clip(content, TRACE_TEXT_CHARS),
      toolCalls: toolCalls.map((call) => call.name),
    });

    if (toolCalls.length === 0) {
      nudges++;
      if (nudges > MAX_NUDGES) {
        return end("model_error", `The model kept answering without calling a tool (${nudges} times in a row). Its last answer: ${clip(content ?? "", TRACE_SHORT_CHARS)}`);
      }
      messages.push({ role: "user", content: NUDGE_MESSAGE });
      await record({ kind: "nudge", turn: turns, message: NUDGE_MESSAGE });
      continue;
    }
    nudges = 0;

    for (const call of toolCalls) {
      if (signal?.aborted) return cancelled();
      // A command may not outlive the run's deadline.
      const commandTimeoutMs = Math.max(1_000, Math.min(options.tools.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS, deadlineAt - now()));
      const toolStartedAt = now();
      const outcome = await executeToolCall(call, { ...options.tools, commandTimeoutMs }, toolset);
      messages.push({ role: "tool", toolCallId: call.id, content: redact(outcome.output) });
      await record({
        kind: "tool_call",
        turn: turns,
        callId: call.id,
        name: call.name,
        args: clip(call.arguments, TRACE_SHORT_CHARS),
        ok: outcome.ok,
        result: clip(outcome.output, TRACE_SHORT_CHARS),
        durationMs: now() - toolStartedAt,
      });
      // Calls after `finish` in the same reply are not run: the model said it is done.
      if (outcome.finished) return end("finished", outcome.finished.summary);
    }
  }
}
