import { describe, expect, it } from "vitest";
import type { ChatMessage, ChatModel, ChatRequest } from "../../src/agent/chat-model.ts";
import { compactHistory, estimateTokens } from "../../src/agent/compact-history.ts";
import { createLlmClient } from "../../src/agent/create-llm-client.ts";
import { fromHttpError, ModelCallError, retryDelayMs } from "../../src/agent/model-errors.ts";
import { createOpenAiChatModel } from "../../src/agent/openai-chat-model.ts";
import { resolveModelProfile } from "../../src/agent/resolve-model-profile.ts";
import { withRetries } from "../../src/agent/retrying-model.ts";
import { samplingFor, FIXER_STRATEGIES } from "../../src/agent/run-role.ts";
import { parseTextToolCalls } from "../../src/agent/text-tool-calls.ts";
import { costOf } from "../../src/config/price-table.ts";
import { startScriptedModel, toolCall } from "../support/scripted-model.ts";

describe("resolveModelProfile", () => {
  it.each([
    ["https://api.openai.com/v1", "gpt-4.1", { provider: "openai", api: "chat", temperature: true }],
    // https://platform.openai.com/docs/guides/reasoning: reasoning models take no temperature.
    ["https://api.openai.com/v1", "gpt-5.1", { provider: "openai", api: "responses", temperature: false, maxTokensParam: "max_completion_tokens" }],
    ["https://api.openai.com/v1", "gpt-5-pro", { api: "responses", responsesOnly: true }],
    ["https://res.openai.azure.com/openai/v1", "gpt-5-mini", { provider: "azure", api: "responses" }],
    ["https://generativelanguage.googleapis.com/v1beta/openai/", "gemini-3-pro-preview", { provider: "gemini", passback: ["thought_signatures"], temperature: false }],
    ["https://api.deepseek.com", "deepseek-reasoner", { provider: "deepseek", passback: ["reasoning_content"], temperature: false }],
    ["https://api.groq.com/openai/v1", "llama-3.3-70b-versatile", { provider: "groq", toolGenerationRetries: 2 }],
    ["https://openrouter.ai/api/v1", "openai/gpt-5", { provider: "openrouter", api: "chat", temperature: false }],
    ["http://127.0.0.1:11434/v1", "qwen2.5-coder:14b", { provider: "ollama", contextWindow: 32_768 }],
  ])("%s %s", (baseURL, model, expected) => {
    expect(resolveModelProfile(baseURL, model)).toMatchObject(expected);
  });

  it("lets the operator override the table", () => {
    const profile = resolveModelProfile("https://api.openai.com/v1", "gpt-5.1", { api: "chat", reasoningEffort: "low", profile: { contextWindow: 50_000, temperature: undefined } });
    expect(profile).toMatchObject({ api: "chat", reasoningEffort: "low", contextWindow: 50_000, temperature: false });
  });

  it("varies fixers by temperature only where the profile allows it", () => {
    const gpt5 = resolveModelProfile("https://api.openai.com/v1", "gpt-5.1");
    expect(FIXER_STRATEGIES.map((s) => samplingFor(s, gpt5))).toEqual([{}, { reasoningEffort: "high" }, { reasoningEffort: "low" }]);
    const gpt41 = resolveModelProfile("https://api.openai.com/v1", "gpt-4.1");
    expect(FIXER_STRATEGIES.map((s) => samplingFor(s, gpt41).temperature)).toEqual([0.2, 0.6, 0.9]);
  });
});

describe("unsupported-parameter learning", () => {
  it("drops the parameter a 400 names, retries once, remembers it, and never loops", async () => {
    // OpenAI's body for a reasoning model given a temperature (https://platform.openai.com/docs/guides/error-codes).
    const refuse = () => ({ kind: "raw" as const, status: 400, body: { error: { message: "Unsupported value: 'temperature' does not support 0.2 with this model. Only the default (1) value is supported.", type: "invalid_request_error", param: "temperature", code: "unsupported_value" } } });
    const server = await startScriptedModel([refuse, toolCall("finish", { summary: "ok" }), toolCall("finish", { summary: "ok" }), refuse, refuse]);
    try {
      const profile = { ...resolveModelProfile(server.baseURL, "m"), temperature: true };
      const model = createOpenAiChatModel(createLlmClient({ baseURL: server.baseURL, maxRetries: 0 }), { profile });
      const request: ChatRequest = { model: "m", messages: [{ role: "user", content: "hi" }], tools: [], temperature: 0.2 };
      await model.complete(request);
      await model.complete(request);
      expect(server.requests.map((r) => r.temperature)).toEqual([0.2, undefined, undefined]);
    } finally {
      await server.close();
    }
  });
});

describe("retry waits", () => {
  it("reads retry-after-ms, retry-after, x-ratelimit-reset-* and 'try again in' texts", () => {
    expect(retryDelayMs(new Headers({ "retry-after-ms": "250" }), "")).toBe(250);
    expect(retryDelayMs(new Headers({ "retry-after": "3" }), "")).toBe(3000);
    expect(retryDelayMs(new Headers({ "x-ratelimit-reset-tokens": "6m0s", "x-ratelimit-reset-requests": "20ms" }), "")).toBe(360_000);
    expect(retryDelayMs(undefined, "Please try again in 1.234s.")).toBe(1234);
    expect(retryDelayMs(undefined, "nothing here")).toBeUndefined();
  });

  it("holds every caller back during a rate limit, and stops after the bounded retries", async () => {
    const clock = { t: 0 };
    const sleeps: number[] = [];
    let calls = 0;
    const failing: ChatModel = {
      complete: async () => {
        calls++;
        throw fromHttpError(429, "Rate limit reached on tokens per min (TPM)", {}, new Headers());
      },
    };
    const model = withRetries(failing, { maxRateLimitRetries: 3, random: () => 0.5, now: () => clock.t, sleep: async (ms) => void (sleeps.push(ms), (clock.t += ms)) });
    await expect(model.complete({ model: "m", messages: [], tools: [] })).rejects.toBeInstanceOf(ModelCallError);
    expect(calls).toBe(4);
    // No retry-after: exponential backoff from 2 s, not a burst of retries within two seconds.
    expect(sleeps).toEqual([2000, 4000, 8000]);
  });
});

describe("text tool calls", () => {
  it("parses <tool_call> blocks and fenced JSON naming a known tool", () => {
    expect(parseTextToolCalls('<tool_call>\n{"name": "read_file", "arguments": {"path": "a.js"}}\n</tool_call>', ["read_file"])).toEqual([
      { id: expect.stringMatching(/^[a-zA-Z0-9]{9}$/), name: "read_file", arguments: '{"path":"a.js"}', origin: "text" },
    ]);
    expect(parseTextToolCalls('Sure:\n```json\n{"name": "finish", "arguments": {"summary": "x"}}\n```', ["finish"])).toHaveLength(1);
    expect(parseTextToolCalls('```json\n{"name": "rm_rf", "arguments": {}}\n```', ["finish"])).toEqual([]);
  });
});

describe("context compaction", () => {
  it("keeps a 30-turn run inside a 32k-token window, with a summary of what was done", () => {
    const messages: ChatMessage[] = [
      { role: "system", content: "s" },
      { role: "user", content: "fix it" },
    ];
    const budget = Math.floor(32_768 * 0.7);
    for (let turn = 0; turn < 30; turn++) {
      messages.push({ role: "assistant", content: `hypothesis ${turn}`, toolCalls: [{ id: `c${turn}`, name: "read_file", arguments: `{"path":"f${turn}.js"}` }] });
      messages.push({ role: "tool", toolCallId: `c${turn}`, content: "x".repeat(12_000) });
      compactHistory(messages, budget);
      expect(estimateTokens(messages)).toBeLessThanOrEqual(budget);
    }
    // Old outputs were cut; a tighter window drops the oldest turns into a summary.
    expect(messages.filter((m) => m.role === "tool" && m.content.length > 2_000)).toHaveLength(2);
    const before = messages.length;
    compactHistory(messages, 2_000);
    // The latest turn is always kept whole.
    expect(messages.length).toBe(4);
    expect(before).toBe(62);
    expect(messages[1]?.content).toContain("[Earlier turns, summarised to fit the context window]");
    expect(messages[1]?.content).toContain('you called read_file {"path":"f28.js"}');
    expect(messages[1]?.content).toContain("you noted: hypothesis 28");
    // Every tool result still answers a call in the history.
    const ids = new Set(messages.flatMap((m) => (m.role === "assistant" ? m.toolCalls.map((c) => c.id) : [])));
    expect(messages.filter((m) => m.role === "tool").every((m) => m.role === "tool" && ids.has(m.toolCallId))).toBe(true);
  });
});

describe("Azure and accounting", () => {
  it("refuses a deployment URL without an api-version, saying what to add", () => {
    expect(() => createLlmClient({ baseURL: "https://res.openai.azure.com/openai/deployments/gpt4o", apiKey: "k" })).toThrow(/api-version.*\?api-version=/);
  });

  it("prices cached input and reasoning tokens at their own rates", () => {
    const prices = { m: { input: 2, output: 8, cached_input: 0.5, reasoning: 10 } };
    expect(costOf(prices, "m", { promptTokens: 1_000_000, completionTokens: 1_000_000, cachedPromptTokens: 500_000, reasoningTokens: 500_000 })).toBe(1 + 0.25 + 4 + 5);
  });
});
