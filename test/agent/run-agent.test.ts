import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLlmClient } from "../../src/agent/create-llm-client.ts";
import { createOpenAiChatModel } from "../../src/agent/openai-chat-model.ts";
import { NUDGE_MESSAGE, runAgent } from "../../src/agent/run-agent.ts";
import type { RunAgentOptions } from "../../src/agent/run-agent.ts";
import type { TraceEntry } from "../../src/agent/trace.ts";
import {
  call,
  httpError,
  lastToolResult,
  rawResponse,
  startScriptedModel,
  textReply,
  toolCall,
  toolCalls,
} from "../support/scripted-model.ts";
import type { ScriptStep, ScriptedModel } from "../support/scripted-model.ts";
import { SECRET, fakeSandbox, makeWorkspace, toolContext } from "./helpers.ts";
import type { FakeSandbox, TempWorkspace } from "./helpers.ts";

const BUGGY = "export function sum(a: number, b: number) {\n  return a - b;\n}\n";
const LIMITS = { maxTurns: 10, maxTokens: 100_000, deadlineMs: 60_000 };
const USAGE = { prompt_tokens: 100, completion_tokens: 10 };

let ws: TempWorkspace;
let server: ScriptedModel | undefined;
let sandbox: FakeSandbox;

beforeEach(async () => {
  ws = await makeWorkspace({ "src/sum.ts": BUGGY });
  // The "test suite": green once the sign is fixed.
  sandbox = fakeSandbox(ws.root, async () => {
    const fixed = (await readFile(path.join(ws.root, "src/sum.ts"), "utf8")).includes("a + b");
    return fixed ? { exitCode: 0, output: "1 passed" } : { exitCode: 1, output: "expected 3, got -1" };
  });
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await ws.cleanup();
});

/** Starts the scripted model and runs the agent against it through the real SDK adapter. */
async function runScripted(script: ScriptStep[], overrides: Partial<RunAgentOptions> & { maxRetries?: number } = {}) {
  server = await startScriptedModel(script);
  const { maxRetries = 0, ...rest } = overrides;
  const model = createOpenAiChatModel(createLlmClient({ baseURL: server.baseURL, apiKey: "test-key", maxRetries }));
  const events: TraceEntry[] = [];
  const result = await runAgent({
    model,
    modelName: "scripted",
    tools: toolContext(ws.root, { sandbox }),
    system: "You fix builds.",
    user: "npm test fails.",
    limits: LIMITS,
    onEvent: (event) => {
      events.push(event);
    },
    ...rest,
  });
  return { result, events, requests: server.requests };
}

const fixSign = () => toolCall("edit_file", { path: "src/sum.ts", old_string: "a - b", new_string: "a + b" }, { usage: USAGE });

describe("runAgent against the scripted model", () => {
  it("edits, runs the tests and finishes", async () => {
    const { result, events, requests } = await runScripted([
      toolCall("read_file", { path: "src/sum.ts" }, { content: "Let me look.", usage: USAGE }),
      fixSign(),
      toolCall("run_command", { command: "npm test" }, { usage: USAGE }),
      toolCall("finish", { summary: "sum() subtracted; it adds now. npm test passes." }, { usage: USAGE }),
    ]);

    expect(result).toMatchObject({ status: "finished", summary: "sum() subtracted; it adds now. npm test passes.", turns: 4 });
    expect(result.usage).toEqual({ promptTokens: 400, completionTokens: 40 });
    expect(await readFile(path.join(ws.root, "src/sum.ts"), "utf8")).toContain("return a + b;");
    expect(sandbox.calls.map((c) => c.command)).toEqual(["npm test"]);

    // What reached the model: prompts, the tools, and each observation answering its call id.
    expect(requests).toHaveLength(4);
    expect(requests[0]?.model).toBe("scripted");
    expect(requests[0]?.messages).toEqual([
      { role: "system", content: "You fix builds." },
      { role: "user", content: "npm test fails." },
    ]);
    expect(requests[0]?.tools?.map((t) => t.function.name)).toEqual(["read_file", "list_files", "search", "edit_file", "write_file", "run_command", "finish"]);
    expect(requests[1]?.messages.at(-2)).toMatchObject({ role: "assistant", content: "Let me look.", tool_calls: [{ id: "call_0_0", function: { name: "read_file" } }] });
    expect(requests[1]?.messages.at(-1)).toEqual({ role: "tool", tool_call_id: "call_0_0", content: BUGGY });
    // The observation, then the work record the loop restates every turn.
    expect(lastToolResult(requests[3]!)).toBe(
      "$ npm test\nexit code 0 in 0.0s\n1 passed\n\n[Progress so far, kept by Patchwright]\n- Files you changed: src/sum.ts\n- Commands you ran (latest last): `npm test` → exit 0",
    );

    // The ledger saw every step as it happened, in order.
    expect(events).toEqual(result.trace);
    expect(events.map((e) => (e.kind === "tool_call" ? `tool:${e.name}:${e.ok}` : e.kind))).toEqual([
      "model_call", "tool:read_file:true", "model_call", "tool:edit_file:true", "model_call", "tool:run_command:true", "model_call", "tool:finish:true",
    ]);
    expect(events[0]).toMatchObject({ kind: "model_call", turn: 1, promptTokens: 100, completionTokens: 10, usageEstimated: false, text: "Let me look.", toolCalls: ["read_file"] });
    expect(events[3]).toMatchObject({ kind: "tool_call", turn: 2, args: '{"path":"src/sum.ts","old_string":"a - b","new_string":"a + b"}', result: "Edited src/sum.ts at line 2: replaced 1 line(s) with 1." });
  });

  it("runs several tool calls of one reply in order and answers each", async () => {
    const { result, requests } = await runScripted([
      toolCalls([call("edit_file", { path: "src/sum.ts", old_string: "a - b", new_string: "a + b" }), call("run_command", { command: "npm test" })]),
      toolCall("finish", { summary: "done" }),
    ]);
    expect(result.status).toBe("finished");
    const answers = requests[1]?.messages.filter((m) => m.role === "tool");
    expect(answers?.map((m) => m.tool_call_id)).toEqual(["call_0_0", "call_0_1"]);
    expect(answers?.[1]?.content).toMatch(/^\$ npm test\nexit code 0/);
  });

  it("recovers from a malformed tool call", async () => {
    const { result, requests } = await runScripted([
      toolCall("edit_file", '{"path": "src/sum.ts", "old_string": '),
      (request, index) => {
        // The model reads the observation and corrects itself.
        expect(lastToolResult(request)).toMatch(/^Error: the arguments of edit_file are not valid JSON/);
        return fixSign()(request, index);
      },
      toolCall("finish", { summary: "fixed" }),
    ]);
    expect(result.status).toBe("finished");
    expect(result.trace.filter((e) => e.kind === "tool_call").map((e) => e.kind === "tool_call" && e.ok)).toEqual([false, true, true]);
    expect(requests).toHaveLength(3);
  });

  it("stops at the turn limit", async () => {
    const { result, requests } = await runScripted([toolCall("list_files"), toolCall("list_files"), toolCall("list_files")], {
      limits: { ...LIMITS, maxTurns: 2 },
    });
    expect(result).toMatchObject({ status: "turns_exhausted", turns: 2, summary: "The turn budget (2) ran out before the model called finish." });
    expect(requests).toHaveLength(2);
  });

  it("stops at the token limit", async () => {
    const big = { prompt_tokens: 500, completion_tokens: 100 };
    const { result, requests } = await runScripted([toolCall("list_files", {}, { usage: big }), toolCall("list_files", {}, { usage: big }), toolCall("list_files", {}, { usage: big })], {
      limits: { ...LIMITS, maxTokens: 1_000 },
    });
    expect(result).toMatchObject({ status: "tokens_exhausted", turns: 2, usage: { promptTokens: 1_000, completionTokens: 200 } });
    expect(requests).toHaveLength(2);
  });

  it("ends with model_error when the endpoint keeps answering 500", async () => {
    const { result, requests } = await runScripted([httpError(500, "upstream exploded"), httpError(500, "upstream exploded")], { maxRetries: 1 });
    expect(result.status).toBe("model_error");
    expect(result.summary).toMatch(/^The model endpoint answered HTTP 500: .*upstream exploded.*see the model server's logs\.$/);
    expect(requests).toHaveLength(2); // the SDK retried once
    expect(result.trace).toEqual([expect.objectContaining({ kind: "model_error", turn: 1 })]);
  });

  it("ends with model_error on a response that is not a chat completion", async () => {
    const { result } = await runScripted([rawResponse({ choices: [] })]);
    expect(result.status).toBe("model_error");
    expect(result.summary).toMatch(/not a chat completion \(choices: the response has no choices\)/);
  });

  it("nudges a reply without tool calls, then gives up after repeated ones", async () => {
    const recovered = await runScripted([textReply("I think it is the sign."), toolCall("finish", { summary: "ok" })]);
    expect(recovered.result.status).toBe("finished");
    expect(recovered.requests[1]?.messages.at(-1)).toEqual({ role: "user", content: NUDGE_MESSAGE });
    await server?.close();

    const stubborn = await runScripted([textReply("a"), textReply("b"), textReply("c"), toolCall("finish", { summary: "never" })]);
    expect(stubborn.result.status).toBe("model_error");
    expect(stubborn.result.summary).toMatch(/without calling a tool \(3 times in a row\)\. Its last answer: c$/);
    expect(stubborn.requests).toHaveLength(3);
  });

  it("stops between steps when cancelled", async () => {
    const controller = new AbortController();
    const { result, requests } = await runScripted([fixSign(), toolCall("run_command", { command: "npm test" })], {
      signal: controller.signal,
      onEvent: (event) => {
        if (event.kind === "tool_call") controller.abort();
      },
    });
    expect(result).toMatchObject({ status: "cancelled", turns: 1 });
    expect(requests).toHaveLength(1);
    expect(sandbox.calls).toEqual([]);
  });

  it("aborts a model call in flight when cancelled", async () => {
    const controller = new AbortController();
    const { result, requests } = await runScripted(
      [
        () => {
          controller.abort(); // `/agent stop` arrives while the model is thinking
          return new Promise(() => {});
        },
      ],
      { signal: controller.signal },
    );
    expect(result).toMatchObject({ status: "cancelled", turns: 1 });
    expect(requests).toHaveLength(1);
  });

  it("aborts a model call that outlives the deadline", async () => {
    const { result } = await runScripted([() => new Promise(() => {})], { limits: { ...LIMITS, deadlineMs: 100 } });
    expect(result).toMatchObject({ status: "deadline", turns: 1, summary: "The time budget ran out during a model call (turn 1)." });
  });

  it("stops when the deadline passes", async () => {
    let clock = 0;
    const { result, requests } = await runScripted(
      [
        (request, index) => {
          clock += 61_000; // a slow model call
          return toolCall("list_files")(request, index);
        },
        toolCall("finish", { summary: "too late" }),
      ],
      { now: () => clock },
    );
    expect(result).toMatchObject({ status: "deadline", turns: 1 });
    expect(requests).toHaveLength(1);
  });

  it("never sends a secret to the model, wherever it appears", async () => {
    await writeFile(path.join(ws.root, ".npmrc"), `//registry.npmjs.org/:_authToken=${SECRET}\n`);
    sandbox = fakeSandbox(ws.root, () => ({ exitCode: 1, output: `npm ERR! token ${SECRET} rejected` }));
    const events: TraceEntry[] = [];
    const { result, requests } = await runScripted(
      [
        toolCall("read_file", { path: ".npmrc" }),
        toolCall("search", { pattern: "authToken" }),
        toolCall("run_command", { command: "npm whoami" }),
        // Even if the model echoes what it guessed, the echo is redacted before it is sent back.
        toolCall("finish", { summary: `the token is ${SECRET}` }),
      ],
      { user: `CI log: using token ${SECRET}`, onEvent: (e) => void events.push(e) },
    );
    expect(result.status).toBe("finished");
    const sent = JSON.stringify(requests);
    expect(sent).not.toContain(SECRET);
    expect(sent).toContain("_authToken=[REDACTED]");
    expect(sent).toContain("npm ERR! token [REDACTED] rejected");
    expect(JSON.stringify(events)).not.toContain(SECRET);
    expect(result.summary).toBe("the token is [REDACTED]");
  });
});
