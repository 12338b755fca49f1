/**
 * A scripted, OpenAI-compatible model server for tests: `POST
 * /v1/chat/completions` (non-streaming) and `GET /v1/models` on 127.0.0.1 and
 * a free port. Each request is answered by the next step of the script; a step
 * is a function of the request body, so it can look at what the agent sent
 * (the last tool result, say) before answering.
 *
 * When the script runs out, the server answers HTTP 500 with a message saying
 * so (and `x-should-retry: false`): a test that lets the agent run longer
 * than planned fails loudly instead of "finishing" by accident.
 *
 * It is plain HTTP, so it serves an app running in another process as well
 * as the in-process SDK client. Every request body is recorded in `requests`.
 */
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A tool call as the model sends it; `arguments` is raw JSON text. */
export interface ScriptedToolCall {
  readonly id: string;
  readonly type: "function";
  readonly function: { readonly name: string; readonly arguments: string };
}

/** What a step answers: an assistant message, an HTTP error, or a raw body (for malformed responses). */
export type ScriptReply =
  | {
      readonly kind: "message";
      readonly content: string | null;
      readonly toolCalls: readonly ScriptedToolCall[];
      /** Usage to report; default: about one token per 4 characters of request and reply. */
      readonly usage?: { readonly prompt_tokens: number; readonly completion_tokens: number };
    }
  | { readonly kind: "error"; readonly status: number; readonly message: string }
  | { readonly kind: "raw"; readonly status: number; readonly body: unknown };

/** A chat completion request as received (the parsed JSON body). */
export interface ChatCompletionBody {
  readonly model: string;
  readonly messages: ReadonlyArray<{ role: string; content?: unknown; tool_calls?: unknown; tool_call_id?: string }>;
  readonly tools?: ReadonlyArray<{ type: string; function: { name: string; description?: string; parameters?: unknown } }>;
  readonly stream?: boolean;
  readonly [key: string]: unknown;
}

export type ScriptStep = (request: ChatCompletionBody, index: number) => ScriptReply | Promise<ScriptReply>;

export interface ScriptedModel {
  /** `http://127.0.0.1:<port>/v1`, for `createLlmClient` or `OPENAI_BASE_URL`. */
  readonly baseURL: string;
  /** Every chat completion request body, in arrival order (including ones past the script). */
  readonly requests: ChatCompletionBody[];
  /** Steps answered so far. */
  readonly stepsUsed: () => number;
  close(): Promise<void>;
}

type ToolArgs = Record<string, unknown> | string;

/** One tool call; `args` as an object (serialised) or a raw string (to send malformed JSON). */
export function call(name: string, args: ToolArgs = {}, id?: string): Omit<ScriptedToolCall, "id"> & { id?: string } {
  return { ...(id !== undefined ? { id } : {}), type: "function", function: { name, arguments: typeof args === "string" ? args : JSON.stringify(args) } };
}

/** A step answering with one tool call. */
export function toolCall(name: string, args: ToolArgs = {}, options: { content?: string; usage?: Usage } = {}): ScriptStep {
  return toolCalls([call(name, args)], options);
}

/** A step answering with several tool calls in one reply. */
export function toolCalls(calls: ReadonlyArray<ReturnType<typeof call>>, options: { content?: string; usage?: Usage } = {}): ScriptStep {
  return (_request, index) => ({
    kind: "message",
    content: options.content ?? null,
    toolCalls: calls.map((c, i) => ({ ...c, id: c.id ?? `call_${index}_${i}` })),
    ...(options.usage ? { usage: options.usage } : {}),
  });
}

/** A step answering with text only (no tool call). */
export function textReply(content: string, options: { usage?: Usage } = {}): ScriptStep {
  return () => ({ kind: "message", content, toolCalls: [], ...(options.usage ? { usage: options.usage } : {}) });
}

/** A step answering with an HTTP error. It says `retry-after-ms: 0`, so SDK retries happen at once. */
export function httpError(status: number, message = `scripted error ${status}`): ScriptStep {
  return () => ({ kind: "error", status, message });
}

/** A step answering `body` verbatim with HTTP 200 (or `status`): for malformed responses. */
export function rawResponse(body: unknown, status = 200): ScriptStep {
  return () => ({ kind: "raw", status, body });
}

type Usage = { prompt_tokens: number; completion_tokens: number };

/** The content of the last `tool` message of a request: what the agent observed last. */
export function lastToolResult(request: ChatCompletionBody): string | undefined {
  const tool = request.messages.filter((m) => m.role === "tool").at(-1);
  return typeof tool?.content === "string" ? tool.content : undefined;
}

/** Starts the server. `await close()` when done (it also drops keep-alive connections). */
export async function startScriptedModel(script: readonly ScriptStep[]): Promise<ScriptedModel> {
  const requests: ChatCompletionBody[] = [];
  let next = 0;

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { error: { message: `scripted model crashed: ${String(error)}` } }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method === "GET" && url.pathname === "/v1/models") {
      return send(res, 200, { object: "list", data: [{ id: "scripted", object: "model", created: 0, owned_by: "patchwright-tests" }] });
    }
    if (req.method !== "POST" || url.pathname !== "/v1/chat/completions") {
      return send(res, 404, { error: { message: `scripted model: no route ${req.method} ${url.pathname}` } });
    }
    const body = JSON.parse(await readBody(req)) as ChatCompletionBody;
    // The app's start-up probe (one tiny tool-calling request) is answered here, outside the script and `requests`.
    if (body.tools?.some((t) => t.function.name === "patchwright_probe")) {
      return send(res, 200, {
        id: "chatcmpl-probe",
        object: "chat.completion",
        created: 1_700_000_000,
        model: body.model,
        choices: [{ index: 0, message: { role: "assistant", content: null, tool_calls: [call("patchwright_probe", { ok: true }, "probe0001")] }, finish_reason: "tool_calls" }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      });
    }
    requests.push(body);
    if (body.stream === true) return send(res, 400, { error: { message: "scripted model: streaming is not supported" } });
    const index = next++;
    const step = script[index];
    if (step === undefined) {
      return send(res, 500, { error: { message: `scripted model: the script has ${script.length} steps and request ${index + 1} came in` } }, { "x-should-retry": "false" });
    }
    const reply = await step(body, index);
    if (reply.kind === "error") return send(res, reply.status, { error: { message: reply.message, type: "scripted" } }, { "retry-after-ms": "0" });
    if (reply.kind === "raw") return send(res, reply.status, reply.body);
    const completionText = (reply.content ?? "") + reply.toolCalls.map((c) => c.function.name + c.function.arguments).join("");
    const usage = reply.usage ?? {
      prompt_tokens: Math.ceil(JSON.stringify(body.messages).length / 4),
      completion_tokens: Math.max(1, Math.ceil(completionText.length / 4)),
    };
    return send(res, 200, {
      id: `chatcmpl-scripted-${index}`,
      object: "chat.completion",
      created: 1_700_000_000,
      model: body.model,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: reply.content, refusal: null, ...(reply.toolCalls.length > 0 ? { tool_calls: reply.toolCalls } : {}) },
          finish_reason: reply.toolCalls.length > 0 ? "tool_calls" : "stop",
          logprobs: null,
        },
      ],
      usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    stepsUsed: () => Math.min(next, script.length),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** A request's whole body as text. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/** Who is asking: the repository, the agent role, the fixer's candidate number and the turn within its conversation. */
export interface Conversation {
  readonly repository: string;
  readonly role: "investigator" | "fixer";
  readonly candidate: number;
  /** 0 for the conversation's first request. */
  readonly turn: number;
  readonly request: ChatCompletionBody;
}

/**
 * A script for conversations that run concurrently (an investigator, then
 * parallel fixers): each request is routed by who is asking and how far its
 * own conversation has got, not by arrival order. `pick` returns the step for
 * that turn, or undefined to fail loudly.
 */
export function conversationScript(pick: (c: Conversation) => ScriptStep | undefined, maxRequests = 400): ScriptStep[] {
  const route: ScriptStep = (request, index) => {
    const system = request.messages.find((m) => m.role === "system");
    const text = typeof system?.content === "string" ? system.content : "";
    const candidate = Number(/candidate (\d+) of/.exec(text)?.[1] ?? 0);
    const conversation: Conversation = {
      repository: /checkout of (\S+?)[,.]/.exec(text)?.[1] ?? "",
      role: /Your role: investigator/.test(text) ? "investigator" : "fixer",
      candidate,
      turn: request.messages.filter((m) => m.role === "assistant").length,
      request,
    };
    const step = pick(conversation);
    if (!step) return { kind: "error", status: 500, message: `no scripted step for ${JSON.stringify({ ...conversation, request: undefined })}` };
    return step(request, index);
  };
  return Array.from({ length: maxRequests }, () => route);
}
