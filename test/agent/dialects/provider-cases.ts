/**
 * The providers of the dialect suite, each with the rules its documentation
 * states, enforced by the fake provider with that provider's error bodies.
 */
import { expect } from "vitest";
import type { ProfileOverrides } from "../../../src/agent/model-profile.ts";
import { openAiError, type ProviderDialect, type Received, type Reply, type Rule } from "../../support/fake-provider.ts";

export interface ProviderCase {
  readonly name: string;
  readonly model: string;
  readonly baseURL: (url: string) => string;
  readonly overrides?: ProfileOverrides;
  readonly dialect: ProviderDialect;
  /** "pr", or what the check run must say. */
  readonly outcome: "pr" | RegExp;
  readonly check?: (run: { received: Received[]; delays: number[]; spent: Array<Record<string, number | undefined>>; notes: string[] }) => void;
}

type Msg = Record<string, unknown> & { tool_calls?: Array<Record<string, unknown>> };
const messages = (r: Received) => (r.body["messages"] ?? []) as Msg[];
const input = (r: Received) => (r.body["input"] ?? []) as Array<Record<string, unknown>>;

/** The nth request (0-based, the probe is request 0) fails once with `reply`. */
const failOnce = (index: number, reply: Reply): Rule => (r) => (r.index === index ? reply : undefined);

// OpenAI reasoning models: "temperature … Only the default (1) value is supported", and `max_tokens` is
// refused in favour of `max_completion_tokens` (https://platform.openai.com/docs/guides/reasoning,
// https://platform.openai.com/docs/api-reference/chat/create#chat-create-max_completion_tokens).
const openAiReasoningParams: Rule = (r) =>
  r.body["temperature"] !== undefined && r.body["temperature"] !== 1
    ? openAiError(400, `Unsupported value: 'temperature' does not support ${String(r.body["temperature"])} with this model. Only the default (1) value is supported.`, { param: "temperature", code: "unsupported_value" })
    : r.body["max_tokens"] !== undefined
      ? openAiError(400, "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", { param: "max_tokens", code: "unsupported_parameter" })
      : undefined;

// Responses API, stateless: store false, reasoning.encrypted_content included, and every function_call
// replayed with the reasoning item that preceded it
// (https://platform.openai.com/docs/guides/reasoning#keeping-reasoning-items-in-context).
const statelessResponses: Rule = (r) => {
  if (r.api !== "responses") return undefined;
  if (r.body["store"] !== false) return openAiError(400, "This test provider requires store: false.", { param: "store" });
  if (!(r.body["include"] as string[] | undefined)?.includes("reasoning.encrypted_content")) return openAiError(400, "Encrypted reasoning was not requested.", { param: "include" });
  const items = input(r);
  for (const [i, item] of items.entries()) {
    if (item["type"] === "function_call" && items[i - 1]?.["type"] !== "reasoning" && items[i - 1]?.["role"] !== "assistant") {
      return openAiError(400, `Item '${String(item["call_id"])}' of type 'function_call' was provided without its required 'reasoning' item.`, { param: "input" });
    }
  }
  return undefined;
};

const gpt5Checks = (run: { received: Received[]; spent: Array<Record<string, number | undefined>> }) => {
  // GPT-5: no temperature, ever; diversity by instructions and reasoning effort.
  expect(run.received.every((r) => r.body["temperature"] === undefined)).toBe(true);
  const efforts = new Set(run.received.map((r) => (r.body["reasoning"] as { effort?: string } | undefined)?.effort ?? r.body["reasoning_effort"]));
  expect([...efforts].sort()).toEqual(expect.arrayContaining(["high", "low", "medium"]));
  // Reasoning and cached tokens are counted.
  expect(run.spent.some((u) => (u["reasoningTokens"] ?? 0) > 0 && (u["cachedPromptTokens"] ?? 0) > 0)).toBe(true);
};

export const PROVIDERS: readonly ProviderCase[] = [
  {
    name: "OpenAI GPT-4.1 (chat, sampling allowed; a TPM 429 without retry-after)",
    model: "gpt-4.1",
    baseURL: (url) => `${url}/v1`,
    overrides: { provider: "openai" },
    dialect: {
      rules: [
        // A tokens-per-minute 429 carries x-ratelimit-reset-tokens (https://platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers).
        failOnce(1, { ...openAiError(429, "Rate limit reached for gpt-4.1 on tokens per min (TPM). Please try again in 1.5s.", { type: "tokens", code: "rate_limit_exceeded" }), headers: { "x-ratelimit-reset-tokens": "1.5s" } }),
      ],
    },
    outcome: "pr",
    check: ({ received, delays }) => {
      expect(delays).toContain(1500);
      expect(new Set(received.map((r) => r.body["temperature"]).filter((t) => t !== undefined))).toEqual(new Set([0.2, 0.6, 0.9]));
      expect(received.some((r) => r.body["seed"] !== undefined)).toBe(true);
    },
  },
  {
    name: "OpenAI GPT-5.1 on the Responses API (reasoning items carried, nothing stored)",
    model: "gpt-5.1",
    baseURL: (url) => `${url}/v1`,
    overrides: { provider: "openai" },
    dialect: { chatPaths: [], responsesPaths: ["/v1/responses"], reasoningItems: true, rules: [openAiReasoningParams, statelessResponses] },
    outcome: "pr",
    check: (run) => {
      gpt5Checks(run);
      // The encrypted reasoning went back, verbatim, before the call it led to.
      expect(run.received.some((r) => input(r).some((i) => i["type"] === "reasoning" && String(i["encrypted_content"]).startsWith("enc-")))).toBe(true);
    },
  },
  {
    name: "OpenAI GPT-5.1 behind a compatible gateway on chat: tools with reasoning refused, switches to Responses",
    model: "gpt-5.1",
    baseURL: (url) => `${url}/v1`,
    dialect: {
      responsesPaths: ["/v1/responses"],
      reasoningItems: true,
      rules: [
        openAiReasoningParams,
        statelessResponses,
        // Newer OpenAI models refuse function tools with reasoning on Chat Completions (https://platform.openai.com/docs/guides/function-calling).
        (r) => (r.api === "chat" && r.body["tools"] !== undefined && r.body["reasoning_effort"] !== undefined ? openAiError(400, "Function tools with reasoning_effort are not supported for gpt-5.1 in /v1/chat/completions. Please use /v1/responses instead.", { param: "reasoning_effort" }) : undefined),
      ],
    },
    outcome: "pr",
    check: (run) => {
      expect(run.notes.some((n) => /switched to the Responses API/.test(n))).toBe(true);
      expect(run.received.filter((r) => r.api === "chat")).toHaveLength(1);
    },
  },
  {
    name: "OpenAI gpt-5-pro (served only on /v1/responses)",
    model: "gpt-5-pro",
    baseURL: (url) => `${url}/v1`,
    overrides: { provider: "openai", api: "chat" },
    // https://platform.openai.com/docs/models/gpt-5-pro: "available in the Responses API only".
    dialect: { chatPaths: [], responsesPaths: ["/v1/responses"], reasoningItems: true, rules: [openAiReasoningParams, statelessResponses] },
    outcome: "pr",
    check: ({ received }) => expect(received.every((r) => r.api === "responses")).toBe(true),
  },
  {
    name: "Azure OpenAI v1 endpoint (/openai/v1, no api-version)",
    model: "gpt-4.1",
    baseURL: (url) => `${url}/openai/v1`,
    // https://learn.microsoft.com/azure/ai-foundry/openai/api-version-lifecycle: the OpenAI client with base_url …/openai/v1/.
    dialect: { chatPaths: ["/openai/v1/chat/completions"], rules: [(r) => (r.query.has("api-version") ? openAiError(400, "api-version is not allowed on the v1 API") : undefined)] },
    outcome: "pr",
  },
  {
    name: "Azure OpenAI deployment URL with api-version (api-key header)",
    model: "gpt-4o",
    baseURL: (url) => `${url}/openai/deployments/prod-4o?api-version=2024-10-21`,
    dialect: {
      chatPaths: ["/openai/deployments/prod-4o/chat/completions"],
      // https://learn.microsoft.com/azure/ai-foundry/openai/reference: api-version query and api-key header are required.
      rules: [(r) => (r.query.get("api-version") !== "2024-10-21" ? { status: 404, body: { error: { code: "404", message: "Resource not found" } } } : r.headers["api-key"] !== "sk-dialect-test-key" ? { status: 401, body: { error: { code: "401", message: "Access denied due to invalid subscription key." } } } : undefined)],
    },
    outcome: "pr",
  },
  { name: "Ollama, native tools", model: "qwen2.5-coder:14b", baseURL: (url) => `${url}/v1`, overrides: { provider: "ollama" }, dialect: {}, outcome: "pr" },
  {
    name: "Ollama, a Qwen coder model writing its tool calls as text",
    model: "qwen2.5-coder:7b",
    baseURL: (url) => `${url}/v1`,
    overrides: { provider: "ollama" },
    dialect: { toolCallStyle: "tagged-text" },
    outcome: "pr",
  },
  {
    name: "Ollama, a model without tool support",
    model: "gemma2:9b",
    baseURL: (url) => `${url}/v1`,
    overrides: { provider: "ollama" },
    // Ollama answers 400 "<model> does not support tools" (https://github.com/ollama/ollama/blob/main/docs/openai.md).
    dialect: { rules: [(r) => (r.body["tools"] !== undefined ? { status: 400, body: { error: { message: "registry.ollama.ai/library/gemma2:9b does not support tools", type: "api_error", param: null, code: null } } } : undefined)] },
    outcome: /does not support tools/,
  },
  { name: "vLLM with a tool parser", model: "Qwen/Qwen2.5-Coder-32B-Instruct", baseURL: (url) => `${url}/v1`, dialect: { models: [{ id: "Qwen/Qwen2.5-Coder-32B-Instruct", max_model_len: 32768 }] }, outcome: "pr" },
  {
    name: "vLLM without a tool parser (tool_choice auto refused, calls in text)",
    model: "Qwen/Qwen2.5-Coder-32B-Instruct",
    baseURL: (url) => `${url}/v1`,
    // https://docs.vllm.ai/en/latest/features/tool_calling/: "auto" needs --enable-auto-tool-choice and --tool-call-parser.
    dialect: {
      toolCallStyle: "tagged-text",
      rules: [(r) => (r.body["tool_choice"] === "auto" ? { status: 400, body: { error: { message: '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set', type: "BadRequestError", param: null, code: 400 } } } : undefined)],
    },
    outcome: "pr",
    check: ({ notes }) => expect(notes.some((n) => /dropped tool_choice/.test(n))).toBe(true),
  },
  { name: "llama.cpp server (no usage reported, fenced JSON calls)", model: "local", baseURL: (url) => `${url}/v1`, dialect: { noUsage: true, toolCallStyle: "fenced-text" }, outcome: "pr" },
  {
    name: "LiteLLM proxy (refuses a parameter its backend does not take)",
    model: "gpt-4.1",
    baseURL: (url) => `${url}/v1`,
    // https://docs.litellm.ai/docs/completion/drop_params: UnsupportedParamsError unless drop_params.
    dialect: { rules: [(r) => (r.body["seed"] !== undefined ? { status: 400, body: { error: { message: "litellm.UnsupportedParamsError: openai does not support parameters: ['seed'], for model=gpt-4.1. To drop these, set `litellm.drop_params=True`.", type: null, param: null, code: "400" } } } : undefined)] },
    outcome: "pr",
    check: ({ notes }) => expect(notes).toEqual([expect.stringMatching(/^dropped seed/)]),
  },
  {
    name: "Anthropic OpenAI-compatible endpoint (temperature 0..1)",
    model: "claude-sonnet-4-5",
    baseURL: (url) => `${url}/v1`,
    overrides: { provider: "anthropic" },
    // https://docs.anthropic.com/en/api/openai-sdk: temperature is capped at 1.
    dialect: { rules: [(r) => (typeof r.body["temperature"] === "number" && r.body["temperature"] > 1 ? { status: 400, body: { type: "error", error: { type: "invalid_request_error", message: "temperature: range: 0..1" } } } : undefined)] },
    outcome: "pr",
  },
  {
    name: "Gemini 3 OpenAI compatibility (thought signatures sent back)",
    model: "gemini-3-pro-preview",
    baseURL: (url) => `${url}/v1beta/openai`,
    overrides: { provider: "gemini" },
    dialect: {
      chatPaths: ["/v1beta/openai/chat/completions"],
      toolCallExtras: (t) => ({ extra_content: { google: { thought_signature: `sig-${t.role}-${t.candidate}-${t.turn}` } } }),
      // https://ai.google.dev/gemini-api/docs/thought-signatures: Gemini 3 answers 400 when a function call comes back without its signature.
      rules: [(r) => (messages(r).some((m) => m["role"] === "assistant" && m.tool_calls?.some((c) => !/^sig-/.test(String((c["extra_content"] as { google?: { thought_signature?: string } } | undefined)?.google?.thought_signature)))) ? { status: 400, body: [{ error: { code: 400, message: "Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance.", status: "INVALID_ARGUMENT" } }] } : undefined)],
    },
    outcome: "pr",
  },
  {
    name: "DeepSeek thinking mode (reasoning_content sent back)",
    model: "deepseek-reasoner",
    baseURL: (url) => `${url}/v1`,
    overrides: { provider: "deepseek" },
    dialect: {
      messageExtras: () => ({ reasoning_content: "thinking about the failing test" }),
      // https://api-docs.deepseek.com/guides/thinking_mode: tool-calling turns must pass reasoning_content back, else 400.
      rules: [(r) => (messages(r).some((m) => m["role"] === "assistant" && m.tool_calls !== undefined && m["reasoning_content"] === undefined) ? openAiError(400, "Missing `reasoning_content` field in the assistant message at message index 2.") : undefined)],
    },
    outcome: "pr",
    check: ({ received }) => expect(received.every((r) => r.body["temperature"] === undefined)).toBe(true),
  },
  {
    name: "Groq (a transient tool_use_failed, a 429 that says 'try again in 20s')",
    model: "llama-3.3-70b-versatile",
    baseURL: (url) => `${url}/openai/v1`,
    overrides: { provider: "groq" },
    dialect: {
      chatPaths: ["/openai/v1/chat/completions"],
      rules: [
        // https://console.groq.com/docs/errors
        failOnce(1, { status: 400, body: { error: { message: "Failed to call a function. Please adjust your prompt. See 'failed_generation' for more details.", type: "invalid_request_error", code: "tool_use_failed", failed_generation: "<function=read_file{...}>" } } }),
        failOnce(3, openAiError(429, "Rate limit reached for model `llama-3.3-70b-versatile` on tokens per minute (TPM): Limit 6000, Used 5900. Please try again in 20s.", { type: "tokens", code: "rate_limit_exceeded" })),
      ],
    },
    outcome: "pr",
    check: ({ delays }) => expect(delays).toContain(20_000),
  },
  {
    name: "Mistral (empty tool-call ids answered with 9-character ids)",
    model: "mistral-large-latest",
    baseURL: (url) => `${url}/v1`,
    overrides: { provider: "mistral" },
    dialect: {
      emptyIds: true,
      // Mistral: "Tool call id was … but must be a-z, A-Z, 0-9, with a length of 9" (https://docs.mistral.ai/capabilities/function_calling/).
      rules: [
        (r) => {
          const ids = messages(r).flatMap((m) => [...(m.tool_calls ?? []).map((c) => String(c["id"])), ...(m["role"] === "tool" ? [String(m["tool_call_id"])] : [])]);
          const bad = ids.find((id) => !/^[a-zA-Z0-9]{9}$/.test(id));
          return bad !== undefined ? { status: 400, body: { object: "error", message: `Tool call id was ${bad} but must be a-z, A-Z, 0-9, with a length of 9.`, type: "invalid_request_message_error", param: null, code: null } } : undefined;
        },
      ],
    },
    outcome: "pr",
  },
  {
    name: "OpenRouter (an error inside an HTTP 200)",
    model: "anthropic/claude-sonnet-4.5",
    baseURL: (url) => `${url}/api/v1`,
    overrides: { provider: "openrouter" },
    // https://openrouter.ai/docs/api/reference/errors-and-debugging: errors after generation started come as a 200 with an error body.
    dialect: { chatPaths: ["/api/v1/chat/completions"], rules: [failOnce(2, { status: 200, body: { error: { code: 502, message: "Provider returned error", metadata: { provider_name: "Anthropic" } } } })] },
    outcome: "pr",
  },
  {
    name: "OpenRouter with Anthropic thinking (reasoning_details sent back with the tool calls)",
    model: "anthropic/claude-sonnet-4.5",
    baseURL: (url) => `${url}/api/v1`,
    overrides: { provider: "openrouter" },
    dialect: {
      chatPaths: ["/api/v1/chat/completions"],
      messageExtras: (t) => ({ reasoning_details: [{ type: "reasoning.text", text: `thinking ${t.role} ${t.turn}`, signature: `sig-${t.role}-${t.candidate}-${t.turn}`, format: "anthropic-claude-v1" }] }),
      // https://openrouter.ai/docs/use-cases/reasoning-tokens#preserving-reasoning-blocks: with tool calls, the reasoning
      // blocks must come back unmodified in the assistant message, or the provider refuses the conversation.
      rules: [
        (r) =>
          messages(r).some((m) => m["role"] === "assistant" && m.tool_calls !== undefined && !/^sig-/.test(String((m["reasoning_details"] as { signature?: string }[] | undefined)?.[0]?.signature)))
            ? { status: 400, body: { error: { code: 400, message: "messages: thinking blocks must be preserved in assistant messages with tool use", metadata: { provider_name: "Anthropic" } } } }
            : undefined,
      ],
    },
    outcome: "pr",
  },
];
