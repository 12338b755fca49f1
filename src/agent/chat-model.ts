/**
 * The one seam between the agent loop and a language model. The loop speaks
 * these small types; `openai-chat-model.ts` adapts them to the OpenAI SDK, and
 * unit tests may implement `ChatModel` directly.
 */

/** A function call the model asked for. `arguments` is the raw JSON text, unparsed. */
export interface ChatToolCall {
  readonly id: string;
  readonly name: string;
  readonly arguments: string;
}

export type ChatMessage =
  | { readonly role: "system"; readonly content: string }
  | { readonly role: "user"; readonly content: string }
  | { readonly role: "assistant"; readonly content: string | null; readonly toolCalls: readonly ChatToolCall[] }
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
  /** Sampling temperature; omitted → the endpoint's default. Parallel fixers vary it. */
  readonly temperature?: number;
  /** Aborts the HTTP request (cancellation, deadline). */
  readonly signal?: AbortSignal;
}

export interface TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
}

export interface ChatResponse {
  readonly message: { readonly content: string | null; readonly toolCalls: readonly ChatToolCall[] };
  readonly usage: TokenUsage;
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
}
