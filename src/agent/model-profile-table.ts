/**
 * The built-in knowledge behind `resolveModelProfile`: which provider a base
 * URL belongs to, and what a model name implies. Each rule cites the
 * provider's documentation; anything unknown falls back to plain Chat
 * Completions with sampling allowed, and the unsupported-parameter learning
 * of `openai-chat-model.ts` corrects the rest at the first 400.
 */
import type { ModelProfile, Provider } from "./model-profile.ts";

export type ProfileRules = Partial<Omit<ModelProfile, "provider" | "model">>;

const HOSTS: ReadonlyArray<readonly [RegExp, Provider]> = [
  [/(^|\.)api\.openai\.com$/, "openai"],
  [/\.(openai\.azure\.com|cognitiveservices\.azure\.com|services\.ai\.azure\.com)$/, "azure"],
  [/^generativelanguage\.googleapis\.com$/, "gemini"],
  [/(^|\.)deepseek\.com$/, "deepseek"],
  [/(^|\.)groq\.com$/, "groq"],
  [/(^|\.)openrouter\.ai$/, "openrouter"],
  [/(^|\.)mistral\.ai$/, "mistral"],
  [/(^|\.)anthropic\.com$/, "anthropic"],
];

/** The provider behind a base URL; Ollama is recognised by its port, other local servers are `generic`. */
export function detectProvider(baseURL: string): Provider {
  let url: URL;
  try {
    url = new URL(baseURL);
  } catch {
    return "generic";
  }
  for (const [host, provider] of HOSTS) if (host.test(url.hostname)) return provider;
  // Azure behind a custom domain or a gateway: its paths give it away.
  if (/\/openai\/(deployments\/|v1\/?$)/.test(url.pathname)) return "azure";
  if (url.port === "11434") return "ollama";
  return "generic";
}

/** `openai/gpt-5` (OpenRouter, LiteLLM) → `gpt-5`; `models/gemini-3-pro` → `gemini-3-pro`. */
function bareName(model: string): string {
  return model.toLowerCase().split("/").at(-1) ?? model.toLowerCase();
}

/**
 * OpenAI reasoning models (o-series, GPT-5 family except `-chat` variants):
 * only the default temperature, `max_completion_tokens`, and function tools
 * with reasoning on the Responses API
 * (https://platform.openai.com/docs/guides/reasoning,
 * https://platform.openai.com/docs/api-reference/chat/create#chat-create-max_completion_tokens).
 */
const OPENAI_REASONING = /^(o\d|gpt-5|codex)/;
/** Served only on /v1/responses: the `-pro` reasoning models and the Codex models (https://platform.openai.com/docs/models). */
const RESPONSES_ONLY = /^(o\d.*-pro|gpt-5.*-pro|.*codex)/;

export function rulesFor(provider: Provider, model: string): ProfileRules {
  const name = bareName(model);
  const openaiReasoning = OPENAI_REASONING.test(name) && !/-chat/.test(name);
  const rules: ProfileRules = openaiReasoning
    ? {
        reasoning: true,
        temperature: false,
        maxTokensParam: "max_completion_tokens",
        reasoningEffort: "medium",
        contextWindow: 200_000,
      }
    : /^gpt-4\.1/.test(name)
      ? { seed: true, contextWindow: 1_000_000 }
      : /^gpt-4o/.test(name)
        ? { seed: true, contextWindow: 128_000 }
        : {};
  // The Responses API for OpenAI's own reasoning models (and Azure's deployments of them);
  // everything else stays on Chat Completions, the dialect every compatible server speaks.
  if (openaiReasoning && (provider === "openai" || provider === "azure")) Object.assign(rules, { api: "responses" });
  if (RESPONSES_ONLY.test(name) && (provider === "openai" || provider === "azure" || provider === "generic")) Object.assign(rules, { responsesOnly: true, api: "responses" });

  switch (provider) {
    case "gemini":
      // Gemini 3 rejects a function call sent back without its thought signature
      // (https://ai.google.dev/gemini-api/docs/thought-signatures), and recommends the default temperature.
      return { ...rules, passback: ["thought_signatures"], contextWindow: 1_000_000, ...(/^gemini-3/.test(name) ? { reasoning: true, temperature: false } : {}) };
    case "deepseek":
      // Thinking mode: reasoning_content of tool-calling turns must be sent back; temperature is ignored
      // (https://api-docs.deepseek.com/guides/thinking_mode).
      return { ...rules, reasoning: true, temperature: false, passback: ["reasoning_content"], contextWindow: 128_000 };
    case "groq":
      // `tool_use_failed` is a generation failure worth another try (https://console.groq.com/docs/errors).
      return { ...rules, toolGenerationRetries: 2, contextWindow: rules.contextWindow ?? 131_072 };
    case "openrouter":
      // Reasoning details of Anthropic and Gemini models must come back with tool calls
      // (https://openrouter.ai/docs/use-cases/reasoning-tokens#preserving-reasoning-blocks).
      return { ...rules, api: "chat", passback: ["thinking_blocks", "thought_signatures"], toolGenerationRetries: 2, contextWindow: rules.contextWindow ?? 128_000 };
    case "mistral":
      // Tool-call ids are 9 alphanumeric characters; unknown body fields are a 422 (https://docs.mistral.ai/api/).
      return { ...rules, seed: false, contextWindow: 128_000 };
    case "anthropic":
      // https://docs.anthropic.com/en/api/openai-sdk: temperature 0..1, no seed.
      return { ...rules, seed: false, contextWindow: 200_000 };
    case "ollama":
      return { ...rules, seed: true, contextWindow: 32_768 };
    default:
      return { ...rules, contextWindow: rules.contextWindow ?? 32_768 };
  }
}
