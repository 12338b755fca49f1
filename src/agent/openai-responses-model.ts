/**
 * The Responses API (`client.responses.create`) with function tools, for
 * OpenAI's reasoning models and the models served only there
 * (https://platform.openai.com/docs/guides/reasoning#keeping-reasoning-items-in-context).
 * Stateless: `store: false` and `include: ["reasoning.encrypted_content"]`, so
 * nothing is kept server-side and each turn carries the earlier reasoning
 * items back verbatim, before the calls they led to.
 */
import type OpenAI from "openai";
import type { ChatMessage, ChatModel, ChatRequest, ChatResponse, ChatToolCall } from "./chat-model.ts";
import { estimateUsage } from "./chat-wire.ts";
import { fromHttpError, toModelError } from "./model-errors.ts";
import type { ModelProfile } from "./model-profile.ts";
import { toolCallIdOf } from "./tool-call-id.ts";

interface OutputItem {
  type: string;
  id?: string;
  call_id?: string;
  name?: string;
  arguments?: unknown;
  content?: Array<{ type?: string; text?: string }>;
  [key: string]: unknown;
}

interface ResponsesBody {
  status?: string;
  error?: { code?: unknown; message?: string } | null;
  incomplete_details?: { reason?: string } | null;
  output?: OutputItem[];
  usage?: {
    input_tokens: number;
    output_tokens: number;
    input_tokens_details?: { cached_tokens?: number };
    output_tokens_details?: { reasoning_tokens?: number };
  } | null;
}

export function createOpenAiResponsesModel(client: OpenAI, options: { profile?: ModelProfile } = {}): ChatModel {
  const { profile } = options;
  return {
    ...(profile ? { profile } : {}),
    async complete(request: ChatRequest): Promise<ChatResponse> {
      const effort = request.reasoningEffort ?? profile?.reasoningEffort;
      const body: Record<string, unknown> = {
        model: request.model,
        input: request.messages.flatMap(toInputItems),
        store: false,
        ...(profile?.reasoning !== false ? { include: ["reasoning.encrypted_content"] } : {}),
        ...(effort !== undefined && profile?.reasoning !== false ? { reasoning: { effort } } : {}),
        ...(request.temperature !== undefined && profile?.temperature === true ? { temperature: request.temperature } : {}),
        ...(profile?.maxOutputTokens !== undefined ? { max_output_tokens: profile.maxOutputTokens } : {}),
        ...(request.tools.length > 0
          ? { tools: request.tools.map((t) => ({ type: "function", name: t.name, description: t.description, parameters: { ...t.parameters }, strict: false })), tool_choice: "auto" }
          : {}),
      };
      let raw: ResponsesBody;
      try {
        raw = (await client.responses.create(body as never, request.signal !== undefined ? { signal: request.signal } : {})) as unknown as ResponsesBody;
      } catch (error) {
        throw toModelError(error, client.baseURL);
      }
      return fromResponses(raw, request);
    },
  };
}

/** One loop message as Responses input items; an assistant turn replays its reasoning items first. */
function toInputItems(message: ChatMessage): unknown[] {
  switch (message.role) {
    case "system":
      return [{ role: "developer", content: message.content }];
    case "user":
      return [{ role: "user", content: message.content }];
    case "tool":
      return [{ type: "function_call_output", call_id: message.toolCallId, output: message.content }];
    case "assistant": {
      const reasoning = ((message.providerState?.["reasoning_items"] ?? []) as unknown[]).filter((item) => (item as OutputItem).type === "reasoning");
      return [
        ...reasoning,
        // Text and calls are rebuilt from the loop's (redacted) copy, never replayed raw.
        ...(message.content ? [{ role: "assistant", content: message.content }] : []),
        ...message.toolCalls.map((call) => ({ type: "function_call", call_id: call.id, name: call.name, arguments: call.arguments })),
      ];
    }
  }
}

function fromResponses(raw: ResponsesBody, request: ChatRequest): ChatResponse {
  if (raw.status === "failed" || raw.error) {
    const code = raw.error?.code;
    throw fromHttpError(typeof code === "number" ? code : 502, raw.error?.message ?? "the response failed", raw.error ?? {}, undefined);
  }
  const output = raw.output ?? [];
  const taken = new Set<string>();
  const toolCalls: ChatToolCall[] = output
    .filter((item) => item.type === "function_call")
    .map((item) => ({
      id: toolCallIdOf(item.call_id, taken),
      name: item.name ?? "",
      arguments: typeof item.arguments === "string" ? item.arguments : JSON.stringify(item.arguments ?? {}),
    }));
  const texts = output.filter((item) => item.type === "message").flatMap((item) => (item.content ?? []).filter((c) => c.type === "output_text").map((c) => c.text ?? ""));
  const content = texts.length > 0 ? texts.join("\n") : null;
  const reasoningItems = output.filter((item) => item.type === "reasoning");
  const message = { content, toolCalls, ...(reasoningItems.length > 0 ? { providerState: { reasoning_items: reasoningItems } } : {}) };
  const finishReason = raw.status === "incomplete" && raw.incomplete_details?.reason === "max_output_tokens" ? "length" : toolCalls.length > 0 ? "tool_calls" : "stop";
  if (!raw.usage) return { message, finishReason, usage: estimateUsage(request, content, toolCalls), usageEstimated: true };
  const reasoning = raw.usage.output_tokens_details?.reasoning_tokens ?? 0;
  const cached = raw.usage.input_tokens_details?.cached_tokens ?? 0;
  return {
    message,
    finishReason,
    usage: {
      promptTokens: raw.usage.input_tokens,
      completionTokens: raw.usage.output_tokens,
      ...(reasoning > 0 ? { reasoningTokens: reasoning } : {}),
      ...(cached > 0 ? { cachedPromptTokens: cached } : {}),
    },
    usageEstimated: false,
  };
}
