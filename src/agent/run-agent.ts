import type { Redactor } from "../security/redact.ts";
import type { ChatMessage, ChatModel, ChatRequest, ChatResponse, TokenUsage } from "./chat-model.ts";
import { compactHistory } from "./compact-history.ts";
import { ModelCallError } from "./model-errors.ts";
import type { ReasoningEffort } from "./model-profile.ts";
import { parseTextToolCalls } from "./text-tool-calls.ts";
import { createWorkState, noteToolCall, renderWorkState } from "./work-state.ts";
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
  /** Sampling temperature for every call of this run (endpoint default when absent; only where the profile allows). */
  readonly temperature?: number;
  /** Sampling seed, where the profile allows it. */
  readonly seed?: number;
  /** Reasoning effort for this run, overriding the profile's. */
  readonly reasoningEffort?: ReasoningEffort;
  /** The command that must pass: its latest result is restated every turn. */
  readonly testCommand?: string;
  /** Tokens of context; default the model's profile. Without either, the history is never compacted. */
  readonly contextWindow?: number;
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

export const CONTINUE_MESSAGE =
  "Your reply was cut off at the output limit. Continue from where it stopped; keep tool arguments short (edit_file with a small old_string rather than write_file of a whole file).";

/** Share of the context window the history may fill; the rest is the reply's. */
const CONTEXT_SHARE = 0.7;

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
  let contextRetries = 0;
  let contextWindow = options.contextWindow ?? model.profile?.contextWindow;
  const work = createWorkState();

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
    if (contextWindow !== undefined) compactHistory(messages, Math.floor(contextWindow * CONTEXT_SHARE));
    // The deadline also interrupts a slow model call, not only the gaps between calls.
    const deadlineSignal = AbortSignal.timeout(Math.max(1, deadlineAt - now()));
    const callSignal = signal ? AbortSignal.any([signal, deadlineSignal]) : deadlineSignal;
    const startedAt = now();
    let response: ChatResponse;
    try {
      response = await model.complete(requestFor(options, withWorkState(messages, renderWorkState(work, options.testCommand)), specs, callSignal));
    } catch (error) {
      if (signal?.aborted) return cancelled();
      if (deadlineSignal.aborted) return end("deadline", `The time budget ran out during a model call (turn ${turns}).`);
      if (error instanceof ModelCallError && error.kind === "context_length" && contextRetries < 2) {
        // Too long for the model: learn its window (or halve our guess), compact, and try the turn again.
        contextRetries++;
        contextWindow = error.contextWindow ?? Math.floor((contextWindow ?? 32_768) / 2);
        compactHistory(messages, Math.floor(contextWindow * CONTEXT_SHARE));
        turns--;
        continue;
      }
      const message = redact(error instanceof Error ? error.message : String(error));
      await record({ kind: "model_error", turn: turns, latencyMs: now() - startedAt, message });
      return end("model_error", message);
    }
    contextRetries = 0;
    usage = addUsage(usage, response.usage);
    const content = response.message.content === null ? null : redact(response.message.content);
    // A model served without a tool parser writes its calls as text: parse them as a fallback.
    const native = response.message.toolCalls.length > 0 ? response.message.toolCalls : parseTextToolCalls(response.message.content, specs.map((s) => s.name));
    const cutOff = response.finishReason === "length";
    const toolCalls = cutOff ? [] : native.map((call) => ({ ...call, arguments: redact(call.arguments) }));
    messages.push({ role: "assistant", content, toolCalls, ...(response.message.providerState ? { providerState: response.message.providerState } : {}) });
    await record({
      kind: "model_call",
      turn: turns,
      latencyMs: now() - startedAt,
      promptTokens: response.usage.promptTokens,
      completionTokens: response.usage.completionTokens,
      ...(response.usage.reasoningTokens !== undefined ? { reasoningTokens: response.usage.reasoningTokens } : {}),
      ...(response.usage.cachedPromptTokens !== undefined ? { cachedPromptTokens: response.usage.cachedPromptTokens } : {}),
      usageEstimated: response.usageEstimated,
      text: content === null ? null : clip(content, TRACE_TEXT_CHARS),
      toolCalls: toolCalls.map((call) => call.name),
    });

    if (cutOff) {
      // A reply cut at the output limit: ask for the rest (a half-written tool call is not run).
      messages.push({ role: "user", content: CONTINUE_MESSAGE });
      await record({ kind: "nudge", turn: turns, message: CONTINUE_MESSAGE });
      continue;
    }
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
      // Every tool call ends with the deadline (or the job's stop), whatever it waits on.
      const toolDeadline = AbortSignal.timeout(Math.max(1, deadlineAt - now()));
      const toolSignal = signal ? AbortSignal.any([signal, toolDeadline]) : toolDeadline;
      const outcome = await executeToolCall(call, { ...options.tools, commandTimeoutMs, signal: toolSignal }, toolset);
      messages.push({ role: "tool", toolCallId: call.id, content: redact(outcome.output) });
      noteToolCall(work, call, outcome, turns, options.testCommand);
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

function requestFor(options: RunAgentOptions, messages: ChatMessage[], tools: ChatRequest["tools"], signal: AbortSignal): ChatRequest {
  return {
    model: options.modelName,
    messages,
    tools,
    signal,
    ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.reasoningEffort !== undefined ? { reasoningEffort: options.reasoningEffort } : {}),
  };
}

/** The history as sent: the work record restated at the end of the last message (not stored). */
function withWorkState(messages: ChatMessage[], state: string): ChatMessage[] {
  const last = messages.at(-1);
  if (state === "" || messages.length <= 2 || (last?.role !== "tool" && last?.role !== "user")) return messages;
  return [...messages.slice(0, -1), { ...last, content: `${last.content}\n\n${state}` }];
}

function addUsage(total: TokenUsage, call: TokenUsage): TokenUsage {
  const reasoning = (total.reasoningTokens ?? 0) + (call.reasoningTokens ?? 0);
  const cached = (total.cachedPromptTokens ?? 0) + (call.cachedPromptTokens ?? 0);
  return {
    promptTokens: total.promptTokens + call.promptTokens,
    completionTokens: total.completionTokens + call.completionTokens,
    ...(reasoning > 0 ? { reasoningTokens: reasoning } : {}),
    ...(cached > 0 ? { cachedPromptTokens: cached } : {}),
  };
}
