import { afterEach, describe, expect, it } from "vitest";
import { createLlmClient } from "../../src/agent/create-llm-client.ts";
import { createOpenAiChatModel } from "../../src/agent/openai-chat-model.ts";
import type { ChatRequest } from "../../src/agent/chat-model.ts";
import { PatchwrightError } from "../../src/errors.ts";
import { httpError, rawResponse, startScriptedModel } from "../support/scripted-model.ts";
import type { ScriptStep, ScriptedModel } from "../support/scripted-model.ts";

let server: ScriptedModel | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const REQUEST: ChatRequest = {
  model: "m",
  messages: [
    { role: "system", content: "sys" },
    { role: "user", content: "usr" },
    { role: "assistant", content: null, toolCalls: [{ id: "c1", name: "list_files", arguments: "{}" }] },
    { role: "tool", toolCallId: "c1", content: "a.txt" },
  ],
  tools: [{ name: "list_files", description: "List files.", parameters: { type: "object", properties: {} } }],
};

async function complete(step: ScriptStep, request: ChatRequest = REQUEST) {
  server = await startScriptedModel([step]);
  const model = createOpenAiChatModel(createLlmClient({ baseURL: server.baseURL, apiKey: "k", maxRetries: 0 }));
  return model.complete(request);
}

describe("createOpenAiChatModel", () => {
  it("sends the conversation and tools in the Chat Completions shape", async () => {
    await complete(rawResponse({ choices: [{ message: { role: "assistant", content: "hi" } }], usage: { prompt_tokens: 3, completion_tokens: 1 } }));
    expect(server?.requests[0]).toEqual({
      model: "m",
      messages: [
        { role: "system", content: "sys" },
        { role: "user", content: "usr" },
        { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "list_files", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "c1", content: "a.txt" },
      ],
      tools: [{ type: "function", function: { name: "list_files", description: "List files.", parameters: { type: "object", properties: {} } } }],
      tool_choice: "auto",
    });
  });

  it("accepts what lenient servers send: no ids, object arguments, no usage (estimated)", async () => {
    const response = await complete(
      rawResponse({ choices: [{ message: { content: null, tool_calls: [{ function: { name: "read_file", arguments: { path: "a.txt" } } }] } }] }),
    );
    // A missing id gets one of 9 alphanumeric characters, valid for every provider (Mistral's rule is the strictest).
    expect(response.message).toEqual({ content: null, toolCalls: [{ id: expect.stringMatching(/^[a-zA-Z0-9]{9}$/), name: "read_file", arguments: '{"path":"a.txt"}' }] });
    expect(response.usageEstimated).toBe(true);
    expect(response.usage.promptTokens).toBeGreaterThan(0);
  });

  it.each([
    [httpError(401, "bad key"), /HTTP 401.*Check OPENAI_API_KEY\./, false],
    [httpError(404, "no such model"), /HTTP 404.*Check PATCHWRIGHT_MODEL and OPENAI_BASE_URL\./, false],
    [httpError(503, "overloaded"), /HTTP 503.*kept failing after retries/, true],
    [rawResponse({ hello: "world" }), /not a chat completion \(choices: /, true],
    [rawResponse({ choices: [{}] }), /not a chat completion \(choices\.0\.message: /, true],
  ])("maps failures to a model_api error that says what to check (%#)", async (step, message, retryable) => {
    const error = await complete(step).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PatchwrightError);
    expect(error).toMatchObject({ code: "model_api", retryable });
    expect((error as Error).message).toMatch(message);
  });

  it("reports an unreachable endpoint", async () => {
    server = await startScriptedModel([]);
    const baseURL = server.baseURL;
    await server.close();
    server = undefined;
    const model = createOpenAiChatModel(createLlmClient({ baseURL, maxRetries: 0 }));
    await expect(model.complete(REQUEST)).rejects.toThrow(/Could not reach the model endpoint http:\/\/127\.0\.0\.1:\d+\/v1: .*Check OPENAI_BASE_URL\./);
  });
});

describe("startScriptedModel", () => {
  it("lists a model and answers 500 once the script is exhausted", async () => {
    server = await startScriptedModel([]);
    const models = await fetch(`${server.baseURL}/models`).then((r) => r.json());
    expect(models).toMatchObject({ object: "list", data: [{ id: "scripted" }] });
    const res = await fetch(`${server.baseURL}/chat/completions`, { method: "POST", body: JSON.stringify({ model: "m", messages: [] }) });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { message: "scripted model: the script has 0 steps and request 1 came in" } });
    expect(server.requests).toEqual([{ model: "m", messages: [] }]);
  });
});
