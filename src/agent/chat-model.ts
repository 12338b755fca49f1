/**
 * The one seam between the agent loop and a language model. The loop speaks
 * these small types; `openai-chat-model.ts` adapts them to the OpenAI SDK, and
 * unit tests may implement `ChatModel` directly.
 */
import type { ModelProfile, ReasoningEffort } from "./model-profile.ts";

/** A function call the model asked for. `arguments` is the raw JSON text, unparsed. */
export interface ChatToolCall {
  readonly id: string;
  readonly name: string;
  readonly arguments: string;
  /** `text`: parsed from the reply's text (a server without a tool parser), not a native tool call. */
  readonly origin?: "native" | "text";
}

/**
 * What a provider needs back verbatim on later turns (reasoning items, thought
 * signatures, reasoning_content). Opaque to the loop: only the `ChatModel` that
 * produced it reads it, and it never reaches a trace, a PR or a comment.
 */
export type ProviderState = Readonly<Record<string, unknown>>;

export type ChatMessage =
  | { readonly role: "system"; readonly content: string }
  | { readonly role: "user"; readonly content: string }
  | {
      readonly role: "assistant";
      readonly content: string | null;
      readonly toolCalls: readonly ChatToolCall[];
      readonly providerState?: ProviderState;
    }
  | { readonly role: "tool"; readonly toolCallId: string; readonly content: string };

/** A function tool offered to the model; `parameters` is a JSON schema. */
export interface ToolSpec {
  readonly name: string;
  readonly description: string;
  readonly parameters: Readonly<Record<string, unknown>>;
}

export interface ChatRequest {
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  readonly tools: readonly ToolSpec[];
  /** Sampling temperature; omitted → the endpoint's default. Sent only where the model's profile allows it. */
  readonly temperature?: number;
  /** Sampling seed, where the profile allows it. */
  readonly seed?: number;
  /** Overrides the profile's reasoning effort for this call (fixer strategies vary it). */
  readonly reasoningEffort?: ReasoningEffort;
  /** Aborts the HTTP request (cancellation, deadline). */
  readonly signal?: AbortSignal;
}

export interface TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Of `completionTokens`, spent on reasoning (billed as output). */
  readonly reasoningTokens?: number;
  /** Of `promptTokens`, read from the provider's prompt cache (billed at the cached rate). */
  readonly cachedPromptTokens?: number;
}

export interface ChatResponse {
  readonly message: { readonly content: string | null; readonly toolCalls: readonly ChatToolCall[]; readonly providerState?: ProviderState };
  readonly usage: TokenUsage;
  /** `length`: the reply was cut at the output limit (the loop asks for a continuation). */
  readonly finishReason?: "stop" | "tool_calls" | "length" | "other";
  /** True when the endpoint reported no usage and the figures are estimates (about 4 characters a token). */
  readonly usageEstimated: boolean;
}

/**
 * A chat model with function tools. `complete` rejects with a
 * `PatchwrightError("model_api")` when the endpoint fails after its retries or
 * answers something that is not a chat completion.
 */
export interface ChatModel {
  complete(request: ChatRequest): Promise<ChatResponse>;
  /** What the model accepts; absent for test fakes (then everything is sent as asked). */
  readonly profile?: ModelProfile | undefined;
  /**
   * Asks the endpoint for the model's context window (`/models`) and uses it
   * from then on; resolves to what it found. Absent for test fakes.
   */
  discoverContextWindow?(): Promise<number | undefined>;
}
