import type OpenAI from "openai";
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import type { ChatCompletionMessageParam, ChatCompletionTool } from "openai/resources/chat/completions";
import { z } from "zod";
import { PatchwrightError } from "../errors.ts";
import type { ChatMessage, ChatModel, ChatRequest, ChatResponse, ChatToolCall } from "./chat-model.ts";

/**
 * What the loop needs from a chat completion. Lenient where OpenAI-compatible
 * servers differ (missing ids, arguments sent as an object, no usage), strict
 * where nothing sensible can follow (no choice, no message).
 */
const CompletionBody = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullish(),
          tool_calls: z
            .array(
              z.object({
                id: z.string().nullish(),
                function: z
                  .object({ name: z.string().nullish(), arguments: z.unknown() })
                  .nullish(),
              }),
            )
            .nullish(),
        }),
      }),
    )
    .min(1, "the response has no choices"),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }).nullish(),
});

/** Adapts an OpenAI SDK client (from `createLlmClient`) to the loop's `ChatModel`. */
export function createOpenAiChatModel(client: OpenAI): ChatModel {
  return {
    async complete(request: ChatRequest): Promise<ChatResponse> {
      let raw: unknown;
      try {
        raw = await client.chat.completions.create(
          {
            model: request.model,
            messages: request.messages.map(toSdkMessage),
            ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
            ...(request.tools.length > 0 ? { tools: request.tools.map(toSdkTool), tool_choice: "auto" as const } : {}),
          },
          request.signal !== undefined ? { signal: request.signal } : {},
        );
      } catch (error) {
        throw toModelError(error, client.baseURL);
      }
      return fromSdkResponse(raw, request);
    },
  };
}

function toSdkMessage(message: ChatMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case "system":
    case "user":
      return { role: message.role, content: message.content };
    case "tool":
      return { role: "tool", tool_call_id: message.toolCallId, content: message.content };
    case "assistant":
      return {
        role: "assistant",
        content: message.content,
        ...(message.toolCalls.length > 0
          ? {
              tool_calls: message.toolCalls.map((call) => ({
                id: call.id,
                type: "function" as const,
                function: { name: call.name, arguments: call.arguments },
              })),
            }
          : {}),
      };
  }
}

function toSdkTool(spec: ChatRequest["tools"][number]): ChatCompletionTool {
  return { type: "function", function: { name: spec.name, description: spec.description, parameters: { ...spec.parameters } } };
}

function fromSdkResponse(raw: unknown, request: ChatRequest): ChatResponse {
  const parsed = CompletionBody.safeParse(raw);
  if (!parsed.success) {
    const problem = parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ");
    throw new PatchwrightError(
      "model_api",
      `The model endpoint answered something that is not a chat completion (${problem}). Check that OPENAI_BASE_URL points at an OpenAI-compatible /v1 API.`,
    );
  }
  const body = parsed.data;
  const message = body.choices[0]?.message ?? {};
  const toolCalls: ChatToolCall[] = (message.tool_calls ?? []).map((call, index) => ({
    // Some servers omit ids; the loop needs one to answer each call.
    id: call.id ?? `call_${index}`,
    name: call.function?.name ?? "",
    arguments: typeof call.function?.arguments === "string" ? call.function.arguments : JSON.stringify(call.function?.arguments ?? {}),
  }));
  const content = message.content ?? null;
  if (body.usage) {
    return {
      message: { content, toolCalls },
      usage: { promptTokens: body.usage.prompt_tokens, completionTokens: body.usage.completion_tokens },
      usageEstimated: false,
    };
  }
  // Without usage the token budget would never trip: estimate about 4 characters a token.
  const promptChars = JSON.stringify(request.messages).length;
  const completionChars = (content ?? "").length + toolCalls.reduce((n, c) => n + c.name.length + c.arguments.length, 0);
  return {
    message: { content, toolCalls },
    usage: { promptTokens: Math.ceil(promptChars / 4), completionTokens: Math.ceil(completionChars / 4) },
    usageEstimated: true,
  };
}

function toModelError(error: unknown, baseURL: string): PatchwrightError {
  if (error instanceof APIUserAbortError) return new PatchwrightError("cancelled", "The model request was aborted.", { cause: error });
  if (error instanceof APIConnectionTimeoutError) {
    return new PatchwrightError("model_api", `The model endpoint ${baseURL} did not answer in time, even after retries. Check that the model server is up and not overloaded.`, { cause: error });
  }
  if (error instanceof APIConnectionError) {
    return new PatchwrightError("model_api", `Could not reach the model endpoint ${baseURL}: ${error.message}. Check OPENAI_BASE_URL.`, { cause: error });
  }
  if (error instanceof APIError && typeof error.status === "number") {
    const status = error.status;
    const hint =
      status === 401 || status === 403
        ? "Check OPENAI_API_KEY."
        : status === 404
          ? "Check PATCHWRIGHT_MODEL and OPENAI_BASE_URL."
          : status === 400 || status === 422
            ? "The endpoint rejected the request; check that the model supports tool calling."
            : status === 429 || status >= 500
              ? "The endpoint kept failing after retries; see the model server's logs."
              : "See the model server's logs.";
    return new PatchwrightError("model_api", `The model endpoint answered HTTP ${status}: ${error.message}. ${hint}`, {
      cause: error,
      retryable: status === 429 || status >= 500,
    });
  }
  const text = error instanceof Error ? error.message : String(error);
  return new PatchwrightError("model_api", `The model request failed: ${text}.`, { cause: error });
}
