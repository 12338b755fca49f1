/**
 * A fake model provider for the dialect suite: one loopback HTTP server that
 * speaks Chat Completions and/or the Responses API, enforces one provider's
 * documented rules with that provider's documented error bodies, and answers
 * with a small "brain" (what the model decides each turn), rendered in the
 * provider's wire format (thought signatures, reasoning_content, reasoning
 * items, tool calls written as text, ids left empty…). Every request is kept.
 */
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readBody } from "./scripted-model.ts";

/** What the model decides on one turn. */
export interface Decision {
  readonly content?: string;
  readonly call?: { readonly name: string; readonly args: Record<string, unknown> };
}

/** Who is asking and how far its conversation has got. */
export interface Turn {
  readonly role: "investigator" | "fixer" | "probe";
  readonly candidate: number;
  readonly turn: number;
  /** The last tool result the model saw (any wire format). */
  readonly lastResult: string;
}

export interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

/** One rule of a provider: a reply that refuses the request, or undefined to let it through. */
export type Rule = (request: Received) => Reply | undefined;

export interface Received {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage["headers"];
  readonly body: Record<string, unknown>;
  readonly api: "chat" | "responses";
  /** Index of this request among all received. */
  readonly index: number;
}

export interface ProviderDialect {
  /** Paths served (default `/v1/chat/completions`). */
  readonly chatPaths?: readonly string[];
  readonly responsesPaths?: readonly string[];
  readonly rules?: readonly Rule[];
  /** How tool calls go out: native `tool_calls`, or text in `content` (no tool parser). */
  readonly toolCallStyle?: "native" | "tagged-text" | "fenced-text";
  /** Tool-call ids sent: the provider's own, or empty strings (some servers). */
  readonly emptyIds?: boolean;
  /** Extra fields on every assistant message (reasoning_content…) and on tool calls (extra_content…). */
  readonly messageExtras?: (turn: Turn) => Record<string, unknown>;
  readonly toolCallExtras?: (turn: Turn) => Record<string, unknown>;
  /** Reasoning items in Responses output (with encrypted_content). */
  readonly reasoningItems?: boolean;
  /** No `usage` in replies. */
  readonly noUsage?: boolean;
  /** `/v1/models` entries (vLLM's max_model_len…). */
  readonly models?: readonly Record<string, unknown>[];
}

export interface FakeProvider {
  readonly baseURL: string;
  readonly url: string;
  readonly received: Received[];
  close(): Promise<void>;
}

export async function startFakeProvider(dialect: ProviderDialect, brain: (turn: Turn) => Decision): Promise<FakeProvider> {
  const received: Received[] = [];
  const chatPaths = dialect.chatPaths ?? ["/v1/chat/completions"];
  const responsesPaths = dialect.responsesPaths ?? [];
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, { status: 500, body: { error: { message: `fake provider crashed: ${String(error)}` } } }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method === "GET" && url.pathname.endsWith("/models")) return send(res, { status: 200, body: { object: "list", data: dialect.models ?? [] } });
    const api = chatPaths.includes(url.pathname) ? "chat" : responsesPaths.includes(url.pathname) ? "responses" : undefined;
    if (req.method !== "POST" || api === undefined) return send(res, { status: 404, body: { error: { code: "404", message: "Resource not found" } } });
    const body = JSON.parse(await readBody(req)) as Record<string, unknown>;
    const request: Received = { path: url.pathname, query: url.searchParams, headers: req.headers, body, api, index: received.length };
    received.push(request);
    for (const rule of dialect.rules ?? []) {
      const refusal = rule(request);
      if (refusal) return send(res, refusal);
    }
    const turn = turnOf(request);
    const decision = brain(turn);
    return send(res, { status: 200, body: api === "chat" ? chatReply(dialect, turn, decision, request) : responsesReply(dialect, turn, decision, request) });
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    baseURL: `http://127.0.0.1:${port}/v1`,
    received,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Routes by the system prompt (role, candidate) and counts the model's earlier turns. */
function turnOf(request: Received): Turn {
  const items = ((request.api === "chat" ? request.body["messages"] : request.body["input"]) ?? []) as Array<Record<string, unknown>>;
  const system = items.find((m) => m["role"] === "system" || m["role"] === "developer");
  const text = typeof system?.["content"] === "string" ? system["content"] : "";
  const role = /patchwright_probe/.test(JSON.stringify(request.body["tools"] ?? [])) ? "probe" : /Your role: investigator/.test(text) ? "investigator" : "fixer";
  const turn = request.api === "chat" ? items.filter((m) => m["role"] === "assistant").length : items.filter((m) => m["type"] === "function_call" || m["role"] === "assistant").length;
  const results = items.filter((m) => m["role"] === "tool" || m["type"] === "function_call_output" || (m["role"] === "user" && /^Result of /.test(String(m["content"]))));
  const last = results.at(-1);
  const lastResult = String(last?.["content"] ?? last?.["output"] ?? "");
  return { role, candidate: Number(/candidate (\d+) of/.exec(text)?.[1] ?? 0), turn, lastResult };
}

let counter = 0;
const nextId = (prefix: string) => `${prefix}${(++counter).toString(36).padStart(6, "0")}`;

function chatReply(dialect: ProviderDialect, turn: Turn, decision: Decision, request: Received): unknown {
  const call = turn.role === "probe" ? { name: "patchwright_probe", args: { ok: true } } : decision.call;
  const style = dialect.toolCallStyle ?? "native";
  const asText = call && style !== "native";
  const textCall = call ? (style === "fenced-text" ? `\`\`\`json\n${JSON.stringify({ name: call.name, arguments: call.args })}\n\`\`\`` : `<tool_call>\n${JSON.stringify({ name: call.name, arguments: call.args })}\n</tool_call>`) : "";
  const content = asText ? `${decision.content ?? ""}${decision.content ? "\n" : ""}${textCall}` : (decision.content ?? null);
  const message: Record<string, unknown> = { role: "assistant", content, ...(dialect.messageExtras?.(turn) ?? {}) };
  if (call && !asText) {
    message["tool_calls"] = [{ id: dialect.emptyIds ? "" : nextId("call_"), type: "function", function: { name: call.name, arguments: JSON.stringify(call.args) }, ...(dialect.toolCallExtras?.(turn) ?? {}) }];
  }
  return {
    id: nextId("chatcmpl-"),
    object: "chat.completion",
    created: 1_700_000_000,
    model: request.body["model"],
    choices: [{ index: 0, message, finish_reason: call && !asText ? "tool_calls" : "stop" }],
    ...(dialect.noUsage ? {} : { usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120, prompt_tokens_details: { cached_tokens: 40 }, completion_tokens_details: { reasoning_tokens: 8 } } }),
  };
}

function responsesReply(dialect: ProviderDialect, turn: Turn, decision: Decision, request: Received): unknown {
  const call = turn.role === "probe" ? { name: "patchwright_probe", args: { ok: true } } : decision.call;
  const output: unknown[] = [];
  if (dialect.reasoningItems) output.push({ type: "reasoning", id: nextId("rs_"), summary: [], encrypted_content: `enc-${turn.role}-${turn.candidate}-${turn.turn}` });
  if (decision.content) output.push({ type: "message", id: nextId("msg_"), role: "assistant", status: "completed", content: [{ type: "output_text", text: decision.content, annotations: [] }] });
  if (call) output.push({ type: "function_call", id: nextId("fc_"), call_id: nextId("call_"), name: call.name, arguments: JSON.stringify(call.args), status: "completed" });
  return {
    id: nextId("resp_"),
    object: "response",
    created_at: 1_700_000_000,
    status: "completed",
    model: request.body["model"],
    output,
    usage: { input_tokens: 100, output_tokens: 30, total_tokens: 130, input_tokens_details: { cached_tokens: 50 }, output_tokens_details: { reasoning_tokens: 12 } },
  };
}

function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
  res.end(JSON.stringify(reply.body));
}

/** An OpenAI-style error body (https://platform.openai.com/docs/guides/error-codes). */
export function openAiError(status: number, message: string, extra: { param?: string | null; code?: string | null; type?: string } = {}): Reply {
  return { status, body: { error: { message, type: extra.type ?? "invalid_request_error", param: extra.param ?? null, code: extra.code ?? null } } };
}
