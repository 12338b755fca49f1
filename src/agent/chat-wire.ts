/**
 * The Chat Completions wire format: the loop's messages out (with provider
 * state put back where the profile says the provider needs it), a completion
 * body in (lenient where compatible servers differ).
 */
import { z } from "zod";
import type { ChatMessage, ChatRequest, ChatResponse, ChatToolCall, ProviderState } from "./chat-model.ts";
import { fromHttpError, ModelCallError } from "./model-errors.ts";
import type { Passback } from "./model-profile.ts";
import { textToolInstructions } from "./text-tool-calls.ts";
import { toolCallIdOf } from "./tool-call-id.ts";

const ToolCallBody = z.object({
  id: z.string().nullish(),
  function: z.object({ name: z.string().nullish(), arguments: z.unknown() }).nullish(),
  extra_content: z.unknown().optional(),
});

const CompletionBody = z.object({
  choices: z
    .array(
      z.object({
        finish_reason: z.string().nullish(),
        message: z
          .object({
            content: z.string().nullish(),
            tool_calls: z.array(ToolCallBody).nullish(),
            reasoning_content: z.string().nullish(),
            reasoning_details: z.unknown().optional(),
            thinking_blocks: z.unknown().optional(),
          })
          .passthrough(),
        error: z.object({ code: z.unknown().optional(), message: z.string().optional() }).passthrough().nullish(),
      }),
    )
    .min(1, "the response has no choices"),
  usage: z
    .object({
      prompt_tokens: z.number(),
      completion_tokens: z.number(),
      prompt_tokens_details: z.object({ cached_tokens: z.number().nullish() }).nullish(),
      completion_tokens_details: z.object({ reasoning_tokens: z.number().nullish() }).nullish(),
      prompt_cache_hit_tokens: z.number().nullish(),
    })
    .nullish(),
});

export interface WireOptions {
  readonly passback: readonly Passback[];
  /** Tools described in the system prompt, calls parsed from text. */
  readonly textTools: boolean;
}

/** The loop's conversation as Chat Completions messages. */
export function toWireMessages(request: ChatRequest, options: WireOptions): Record<string, unknown>[] {
  const textCallIds = new Map<string, string>();
  for (const m of request.messages) if (m.role === "assistant") for (const c of m.toolCalls) if (c.origin === "text" || options.textTools) textCallIds.set(c.id, c.name);
  return request.messages.map((message) => toWire(message, request, options, textCallIds));
}

function toWire(message: ChatMessage, request: ChatRequest, options: WireOptions, textCallIds: Map<string, string>): Record<string, unknown> {
  switch (message.role) {
    case "system":
      return { role: "system", content: options.textTools ? `${message.content}\n\n${textToolInstructions(request.tools)}` : message.content };
    case "user":
      return { role: "user", content: message.content };
    case "tool": {
      const name = textCallIds.get(message.toolCallId);
      // A call the model wrote as text is answered as text: the server has no tool role to pair it with.
      return name !== undefined ? { role: "user", content: `Result of ${name}:\n${message.content}` } : { role: "tool", tool_call_id: message.toolCallId, content: message.content };
    }
    case "assistant": {
      const state = (message.providerState ?? {}) as { extra_content?: Record<string, unknown> } & Record<string, unknown>;
      const native = message.toolCalls.filter((c) => !textCallIds.has(c.id));
      const wire: Record<string, unknown> = { role: "assistant", content: message.content ?? textCallsAsText(message.toolCalls.filter((c) => textCallIds.has(c.id))) };
      if (native.length > 0) {
        wire["tool_calls"] = native.map((call) => ({
          id: call.id,
          type: "function",
          function: { name: call.name, arguments: call.arguments },
          ...(options.passback.includes("thought_signatures") && state.extra_content?.[call.id] !== undefined ? { extra_content: state.extra_content[call.id] } : {}),
        }));
      }
      if (options.passback.includes("reasoning_content") && typeof state["reasoning_content"] === "string") wire["reasoning_content"] = state["reasoning_content"];
      if (options.passback.includes("thinking_blocks")) {
        for (const key of ["thinking_blocks", "reasoning_details"]) if (state[key] !== undefined) wire[key] = state[key];
      }
      return wire;
    }
  }
}

function textCallsAsText(calls: readonly ChatToolCall[]): string | null {
  if (calls.length === 0) return null;
  return calls.map((c) => `<tool_call>${JSON.stringify({ name: c.name, arguments: safeJson(c.arguments) })}</tool_call>`).join("\n");
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Reads a completion body; an error inside a 200 (OpenRouter) is thrown as the error it is. */
export function fromWireResponse(raw: unknown, request: ChatRequest): ChatResponse {
  const embedded = (raw as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (embedded && typeof embedded === "object" && !Array.isArray((raw as { choices?: unknown }).choices)) {
    throw fromHttpError(typeof embedded.code === "number" ? embedded.code : 502, String(embedded.message ?? "error"), embedded, undefined);
  }
  const parsed = CompletionBody.safeParse(raw);
  if (!parsed.success) {
    const problem = parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ");
    throw new ModelCallError({
      kind: "bad_response",
      message: `The model endpoint answered something that is not a chat completion (${problem}). Check that OPENAI_BASE_URL points at an OpenAI-compatible /v1 API.`,
      providerMessage: problem,
    });
  }
  const body = parsed.data;
  const choice = body.choices[0]!;
  if (choice.finish_reason === "error" || choice.error) {
    const code = choice.error?.code;
    throw fromHttpError(typeof code === "number" ? code : 502, choice.error?.message ?? "the provider failed while generating", choice.error ?? {}, undefined);
  }
  const message = choice.message;
  const taken = new Set<string>();
  const extras: Record<string, unknown> = {};
  const toolCalls: ChatToolCall[] = (message.tool_calls ?? []).map((call) => {
    const id = toolCallIdOf(call.id, taken);
    if (call.extra_content !== undefined) extras[id] = call.extra_content;
    return {
      id,
      name: call.function?.name ?? "",
      arguments: typeof call.function?.arguments === "string" ? call.function.arguments : JSON.stringify(call.function?.arguments ?? {}),
    };
  });
  const providerState: Record<string, unknown> = {};
  if (typeof message.reasoning_content === "string" && message.reasoning_content !== "") providerState["reasoning_content"] = message.reasoning_content;
  if (message.reasoning_details !== undefined && message.reasoning_details !== null) providerState["reasoning_details"] = message.reasoning_details;
  if (message.thinking_blocks !== undefined && message.thinking_blocks !== null) providerState["thinking_blocks"] = message.thinking_blocks;
  if (Object.keys(extras).length > 0) providerState["extra_content"] = extras;
  const content = message.content ?? null;
  const finishReason = choice.finish_reason === "length" ? "length" : toolCalls.length > 0 ? "tool_calls" : "stop";
  const out = { content, toolCalls, ...(Object.keys(providerState).length > 0 ? { providerState: providerState as ProviderState } : {}) };
  if (body.usage) {
    const cached = body.usage.prompt_tokens_details?.cached_tokens ?? body.usage.prompt_cache_hit_tokens ?? 0;
    const reasoning = body.usage.completion_tokens_details?.reasoning_tokens ?? 0;
    return {
      message: out,
      finishReason,
      usage: {
        promptTokens: body.usage.prompt_tokens,
        completionTokens: body.usage.completion_tokens,
        ...(reasoning > 0 ? { reasoningTokens: reasoning } : {}),
        ...(cached > 0 ? { cachedPromptTokens: cached } : {}),
      },
      usageEstimated: false,
    };
  }
  return { message: out, finishReason, usage: estimateUsage(request, content, toolCalls), usageEstimated: true };
}

/** Without usage the token budget would never trip: about 4 characters a token. */
export function estimateUsage(request: ChatRequest, content: string | null, toolCalls: readonly ChatToolCall[]) {
  const promptChars = JSON.stringify(request.messages).length;
  const completionChars = (content ?? "").length + toolCalls.reduce((n, c) => n + c.name.length + c.arguments.length, 0);
  return { promptTokens: Math.ceil(promptChars / 4), completionTokens: Math.ceil(completionChars / 4) };
}
