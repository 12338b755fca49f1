import type OpenAI from "openai";
import type { ChatModel, ChatRequest, ChatResponse } from "./chat-model.ts";
import { fromWireResponse, toWireMessages } from "./chat-wire.ts";
import { createAdaptations, type ModelAdaptations } from "./model-adaptations.ts";
import { ModelCallError, toModelError } from "./model-errors.ts";
import type { ModelProfile } from "./model-profile.ts";

/** Parameters the endpoint may refuse, in the order they are worth giving up. */
const DROPPABLE = new Set(["temperature", "top_p", "seed", "reasoning_effort", "parallel_tool_calls", "max_tokens", "max_completion_tokens"]);
/** At most this many lessons per call: never a loop of 400s. */
const MAX_ADAPTATIONS_PER_CALL = 3;

export interface ChatModelOptions {
  /** What the model accepts; without one, everything is sent as asked (tests, unknown servers). */
  readonly profile?: ModelProfile;
  /** Shared lessons of the process (one object per endpoint and model). */
  readonly adaptations?: ModelAdaptations;
}

/**
 * Chat Completions through the OpenAI SDK. Sends only what the profile allows;
 * on a 400 that names an unsupported parameter it drops (or renames) that
 * parameter, retries once and remembers it for the process; on a server
 * without a tool parser it moves the tools into the prompt. Never loops.
 */
export function createOpenAiChatModel(client: OpenAI, options: ChatModelOptions = {}): ChatModel {
  const { profile } = options;
  const adaptations = options.adaptations ?? createAdaptations();
  return {
    ...(profile ? { profile } : {}),
    async complete(request: ChatRequest): Promise<ChatResponse> {
      const tried = new Set<string>();
      for (;;) {
        const body = buildBody(request, profile, adaptations);
        try {
          const raw: unknown = await client.chat.completions.create(body as never, request.signal !== undefined ? { signal: request.signal } : {});
          return fromWireResponse(raw, request);
        } catch (error) {
          const failure = toModelError(error, client.baseURL);
          if (!(failure instanceof ModelCallError) || tried.size >= MAX_ADAPTATIONS_PER_CALL || !learn(failure, body, adaptations, tried)) throw failure;
        }
      }
    },
  };
}

function buildBody(request: ChatRequest, profile: ModelProfile | undefined, adaptations: ModelAdaptations): Record<string, unknown> {
  const textTools = adaptations.textTools || profile?.toolCalls === "text";
  const body: Record<string, unknown> = {
    model: request.model,
    messages: toWireMessages(request, { passback: profile?.passback ?? [], textTools }),
  };
  if (request.temperature !== undefined && profile?.temperature !== false) body["temperature"] = request.temperature;
  if (request.seed !== undefined && profile?.seed === true) body["seed"] = request.seed;
  const effort = request.reasoningEffort ?? profile?.reasoningEffort;
  if (effort !== undefined && profile?.reasoning === true) body["reasoning_effort"] = effort;
  if (profile?.maxOutputTokens !== undefined) body[profile.maxTokensParam] = profile.maxOutputTokens;
  if (request.tools.length > 0 && !textTools) {
    body["tools"] = request.tools.map((spec) => ({ type: "function", function: { name: spec.name, description: spec.description, parameters: { ...spec.parameters } } }));
    if (!adaptations.dropped.has("tool_choice")) body["tool_choice"] = "auto";
  }
  for (const param of adaptations.dropped) {
    if (param === "max_tokens" && body["max_tokens"] !== undefined) body["max_completion_tokens"] = body["max_tokens"];
    if (param === "max_completion_tokens" && body["max_completion_tokens"] !== undefined) body["max_tokens"] = body["max_completion_tokens"];
    if (param !== "tool_choice") delete body[param];
  }
  return body;
}

/** Records what `failure` teaches; false when there is nothing to learn (then it is thrown). */
function learn(failure: ModelCallError, body: Record<string, unknown>, adaptations: ModelAdaptations, tried: Set<string>): boolean {
  const param = failure.param;
  if (failure.kind === "unsupported_parameter" && param === "tool_choice") {
    // vLLM without --enable-auto-tool-choice: first without tool_choice, then with the tools in the text.
    if (body["tool_choice"] !== undefined && !tried.has("tool_choice")) {
      tried.add("tool_choice");
      adaptations.dropped.add("tool_choice");
      adaptations.notes.push(`dropped tool_choice: ${failure.providerMessage}`);
      return true;
    }
    if (body["tools"] === undefined || tried.has("tools")) return false;
    tried.add("tools");
    adaptations.textTools = true;
    adaptations.notes.push(`tool calls moved into the text: the server has no tool parser (${failure.providerMessage})`);
    return true;
  }
  if (failure.kind !== "unsupported_parameter" || param === undefined || !DROPPABLE.has(param) || body[param] === undefined || tried.has(param)) return false;
  tried.add(param);
  // Parallel agents may hit the same refusal at once: the lesson is noted once.
  if (adaptations.dropped.has(param)) return true;
  adaptations.dropped.add(param);
  adaptations.notes.push(`${param === "max_tokens" ? "renamed max_tokens to max_completion_tokens" : param === "max_completion_tokens" ? "renamed max_completion_tokens to max_tokens" : `dropped ${param}`}: ${failure.providerMessage}`);
  return true;
}
