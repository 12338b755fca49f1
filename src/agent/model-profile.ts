/**
 * What one (endpoint, model) pair accepts, resolved once at start-up from the
 * built-in table (`model-profile-table.ts`), matched on the endpoint's host and
 * the model's name, then overridden by the operator's settings. The agent loop
 * never asks which provider it talks to: the profile and the `ChatModel` it
 * selects carry every difference. See docs/0012-model-profiles.md.
 */

export type ModelApi = "chat" | "responses";
export type ReasoningEffort = "none" | "minimal" | "low" | "medium" | "high" | "xhigh";
export type Provider =
  | "openai"
  | "azure"
  | "gemini"
  | "deepseek"
  | "groq"
  | "openrouter"
  | "mistral"
  | "anthropic"
  | "ollama"
  | "generic";

/**
 * Provider state that must go back to the provider, verbatim, on later turns:
 * - `reasoning_content`: DeepSeek thinking mode (assistant message field);
 * - `thought_signatures`: Gemini's `extra_content.google.thought_signature` on tool calls;
 * - `thinking_blocks`: Anthropic-compatible thinking blocks (`thinking_blocks`, `reasoning_details`);
 * - `reasoning_items`: Responses API reasoning items with `encrypted_content`.
 */
export type Passback = "reasoning_content" | "thought_signatures" | "thinking_blocks" | "reasoning_items";

export interface ModelProfile {
  readonly provider: Provider;
  readonly model: string;
  readonly api: ModelApi;
  /** The model is only served on `/v1/responses` (a `-pro` model, say): `chat` is never tried. */
  readonly responsesOnly: boolean;
  /** A reasoning model (o-series, GPT-5, DeepSeek thinking, Gemini 3): no sampling parameters. */
  readonly reasoning: boolean;
  /** `temperature` may be sent. Fixers vary it only then. */
  readonly temperature: boolean;
  /** `seed` may be sent. */
  readonly seed: boolean;
  /** The name of the output-length parameter, when one is sent. */
  readonly maxTokensParam: "max_tokens" | "max_completion_tokens";
  /** Output cap per call; omitted → the endpoint's default. */
  readonly maxOutputTokens?: number;
  /** `reasoning_effort` (chat) / `reasoning.effort` (responses), where the model takes one. */
  readonly reasoningEffort?: ReasoningEffort;
  readonly passback: readonly Passback[];
  /** Tokens of context the model has; the history is compacted to fit. */
  readonly contextWindow: number;
  /** `native`: function tools. `text`: the tools are described in the prompt and calls parsed from the text. */
  readonly toolCalls: "native" | "text";
  /** Retries of a transient tool-generation failure (Groq's `tool_use_failed`, say). */
  readonly toolGenerationRetries: number;
}

/** The operator's overrides (`PATCHWRIGHT_MODEL_API`, `PATCHWRIGHT_REASONING_EFFORT`, `PATCHWRIGHT_MODEL_PROFILE`). */
export interface ProfileOverrides {
  readonly api?: ModelApi | "auto" | undefined;
  readonly reasoningEffort?: ReasoningEffort | undefined;
  /** The provider, when its host does not say (a gateway, a proxy, a test server). */
  readonly provider?: Provider | undefined;
  readonly profile?: { readonly [K in keyof Omit<ModelProfile, "provider" | "model">]?: ModelProfile[K] | undefined } | undefined;
}

/** One line for logs and the start-up report. */
export function describeProfile(profile: ModelProfile): string {
  return [
    `${profile.model} on ${profile.provider}`,
    `api=${profile.api}${profile.responsesOnly ? " (responses only)" : ""}`,
    `temperature=${profile.temperature ? "allowed" : "not sent"}`,
    profile.reasoningEffort ? `reasoning_effort=${profile.reasoningEffort}` : "",
    profile.passback.length > 0 ? `passback=${profile.passback.join("+")}` : "",
    `context=${profile.contextWindow}`,
    profile.toolCalls === "text" ? "tool calls as text" : "",
  ]
    .filter(Boolean)
    .join(", ");
}
