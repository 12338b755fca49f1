import { afterEach, describe, expect, it } from "vitest";
import { contextWindowOf } from "../../src/agent/context-window-of.ts";
import { createChatModel } from "../../src/agent/create-chat-model.ts";
import { probeModel } from "../../src/agent/probe-model.ts";
import { startFakeProvider, type FakeProvider } from "../support/fake-provider.ts";

const M = "Qwen/Qwen2.5-Coder-7B-Instruct";

describe("contextWindowOf", () => {
  it.each([
    // https://docs.vllm.ai/ (OpenAI-compatible server): each model card of /v1/models carries max_model_len.
    ["vLLM", { object: "list", data: [{ id: M, object: "model", max_model_len: 16384 }] }, 16384],
    // GroqCloud's /openai/v1/models: context_window per model.
    ["Groq", { data: [{ id: M, context_window: 131072 }] }, 131072],
    // OpenRouter's /api/v1/models: context_length, and the top provider's own.
    ["OpenRouter", { data: [{ id: M, context_length: 32768, top_provider: { context_length: 16000 } }] }, 16000],
    // Mistral's /v1/models: max_context_length.
    ["Mistral", { data: [{ id: M, max_context_length: 128000 }] }, 128000],
    // llama.cpp's server: meta.n_ctx_train.
    ["llama.cpp", { data: [{ id: M, meta: { n_ctx_train: 32768 } }] }, 32768],
    ["Gemini's models/ prefix", { data: [{ id: `models/${M}`, context_length: 1048576 }] }, 1048576],
    ["no field", { data: [{ id: M, owned_by: "me" }] }, undefined],
    ["another model only", { data: [{ id: "other", max_model_len: 4096 }] }, undefined],
    ["a nonsense value", { data: [{ id: M, max_model_len: "lots" }] }, undefined],
    ["not a list", { error: { message: "no" } }, undefined],
  ])("reads %s", (_name, list, expected) => {
    expect(contextWindowOf(list, M)).toBe(expected);
  });
});

describe("the endpoint's context window", () => {
  let provider: FakeProvider | undefined;
  afterEach(async () => provider?.close());

  // The fake provider answers the start-up check itself.
  const answer = () => ({});

  it("replaces the table's window after the start-up check, and says so", async () => {
    provider = await startFakeProvider({ models: [{ id: M, max_model_len: 8192 }] }, answer);
    const configured = createChatModel({ baseURL: provider.baseURL, model: M, overrides: { provider: "generic" } });
    const before = configured.model.profile?.contextWindow;
    const report = await probeModel({ model: configured.model, modelName: M, adaptations: configured.adaptations });
    expect(before).not.toBe(8192);
    expect(configured.model.profile?.contextWindow).toBe(8192);
    expect(report.lines.join("\n")).toContain("context window 8192 tokens, as the endpoint reports");
  });

  it("keeps the operator's window over the endpoint's", async () => {
    provider = await startFakeProvider({ models: [{ id: M, max_model_len: 8192 }] }, answer);
    const configured = createChatModel({ baseURL: provider.baseURL, model: M, overrides: { provider: "generic", profile: { contextWindow: 65536 } } });
    await probeModel({ model: configured.model, modelName: M, adaptations: configured.adaptations });
    expect(configured.model.profile?.contextWindow).toBe(65536);
  });
});
