/**
 * Every failure of a model call becomes a `ModelCallError`: a
 * `PatchwrightError("model_api")` whose message says what to change, plus
 * what the caller may do about it (`kind`), how long the provider asked to
 * wait, and which request parameter it refused.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { PatchwrightError } from "../errors.ts";

export type ModelErrorKind =
  | "rate_limit" // 429: wait (retry-after, x-ratelimit-reset-*, "try again in N s") and retry
  | "server" // 5xx, a connection failure, an error inside a 200: retry with backoff
  | "tool_generation" // the provider failed to produce a valid tool call (Groq, OpenRouter): retry a bounded number of times
  | "unsupported_parameter" // a 400 naming a parameter: drop it, retry once, remember
  | "responses_only" // the model is served on /v1/responses only, or needs it for tools with reasoning
  | "no_tools" // the model or server has no tool calling
  | "context_length" // the conversation does not fit: compact and retry
  | "auth"
  | "not_found"
  | "bad_response"
  | "other";

export class ModelCallError extends PatchwrightError {
  readonly kind: ModelErrorKind;
  readonly status: number | undefined;
  /** The provider's own message, for reports. */
  readonly providerMessage: string;
  readonly retryAfterMs: number | undefined;
  readonly param: string | undefined;
  /** From a context-length error: the model's window, when the message says it. */
  readonly contextWindow: number | undefined;

  constructor(args: {
    kind: ModelErrorKind;
    message: string;
    providerMessage: string;
    status?: number | undefined;
    retryAfterMs?: number | undefined;
    param?: string | undefined;
    contextWindow?: number | undefined;
    cause?: unknown;
  }) {
    super("model_api", args.message, { cause: args.cause, retryable: ["rate_limit", "server", "tool_generation", "bad_response"].includes(args.kind) });
    this.name = "ModelCallError";
    this.kind = args.kind;
    this.status = args.status;
    this.providerMessage = args.providerMessage;
    this.retryAfterMs = args.retryAfterMs;
    this.param = args.param;
    this.contextWindow = args.contextWindow;
  }
}

const HINTS: Record<ModelErrorKind, string> = {
  rate_limit: "The endpoint kept rate-limiting after retries; lower `candidates` or raise the provider's limits.",
  server: "The endpoint kept failing after retries; see the model server's logs.",
  tool_generation: "The model kept failing to produce a valid tool call; try a stronger model.",
  unsupported_parameter: "The endpoint rejected a request parameter; set PATCHWRIGHT_MODEL_PROFILE to describe the model.",
  responses_only: "This model needs the Responses API: set PATCHWRIGHT_MODEL_API=responses (or auto).",
  no_tools: "Patchwright needs a model with tool calling: choose a model that supports tools (for Ollama, one tagged \"tools\"), or start the server with its tool parser (vLLM: --enable-auto-tool-choice --tool-call-parser <name>).",
  context_length: "The conversation did not fit the model's context window even after compaction; set PATCHWRIGHT_MODEL_PROFILE={\"contextWindow\": N}.",
  auth: "Check OPENAI_API_KEY.",
  not_found: "Check PATCHWRIGHT_MODEL and OPENAI_BASE_URL. For Azure, check the deployment name and the api-version.",
  bad_response: "Check that OPENAI_BASE_URL points at an OpenAI-compatible /v1 API.",
  other: "See the model server's logs.",
};

/** Maps anything a model call threw to a `ModelCallError` (or `cancelled`). */
export function toModelError(error: unknown, baseURL: string): PatchwrightError {
  if (error instanceof ModelCallError) return error;
  if (error instanceof APIUserAbortError) return new PatchwrightError("cancelled", "The model request was aborted.", { cause: error });
  if (error instanceof APIConnectionTimeoutError) {
    return new ModelCallError({ kind: "server", message: `The model endpoint ${baseURL} did not answer in time, even after retries. Check that the model server is up and not overloaded.`, providerMessage: "timeout", cause: error });
  }
  if (error instanceof APIConnectionError) {
    return new ModelCallError({ kind: "server", message: `Could not reach the model endpoint ${baseURL}: ${error.message}. Check OPENAI_BASE_URL.`, providerMessage: error.message, cause: error });
  }
  if (error instanceof APIError && typeof error.status === "number") {
    return fromHttpError(error.status, error.message, error.error, error.headers, error);
  }
  const text = error instanceof Error ? error.message : String(error);
  return new ModelCallError({ kind: "other", message: `The model request failed: ${text}.`, providerMessage: text, cause: error });
}

/** Classifies an HTTP error (or an error body inside a 200, with its `code` as status). */
export function fromHttpError(status: number, message: string, body: unknown, headers: Headers | undefined, cause?: unknown): ModelCallError {
  const text = `${message} ${JSON.stringify(body ?? "")}`;
  const param = paramOf(body, text);
  const kind = classify(status, text, param);
  const window = /maximum context length is (\d+)/i.exec(text)?.[1] ?? /context (?:window|length) (?:of|is) (\d+)/i.exec(text)?.[1];
  return new ModelCallError({
    kind,
    status,
    message: `The model endpoint answered HTTP ${status}: ${message}. ${HINTS[kind]}`,
    providerMessage: message,
    retryAfterMs: retryDelayMs(headers, text),
    param,
    contextWindow: window !== undefined ? Number(window) : undefined,
    cause,
  });
}

function classify(status: number, text: string, param: string | undefined): ModelErrorKind {
  if (/tool_use_failed|failed to call a function|tool call validation failed|invalid tool call/i.test(text)) return "tool_generation";
  if (/context_length_exceeded|maximum context length|context window|too many tokens|prompt is too long|input is too long/i.test(text) && status < 500 && status !== 429) return "context_length";
  if (status === 429) return "rate_limit";
  if (status >= 500) return "server";
  if (status === 401 || status === 403) return "auth";
  if (/only supported in v1\/responses|use (the )?\/?v1\/responses|responses api instead|please use \/v1\/responses/i.test(text)) return "responses_only";
  if (/does not support tools|tools? (are|is) not supported|does not support (function|tool) call/i.test(text)) return "no_tools";
  if (param !== undefined && (status === 400 || status === 422)) return "unsupported_parameter";
  if (status === 404) return "not_found";
  return "other";
}

const KNOWN_PARAMS = ["temperature", "top_p", "seed", "max_tokens", "max_completion_tokens", "reasoning_effort", "tool_choice", "parallel_tool_calls", "reasoning", "include", "store"];

/** The request parameter a 400/422 names: OpenAI's `param`, Mistral's `loc`, Azure's "Unrecognized request argument", vLLM's tool_choice text. */
function paramOf(body: unknown, text: string): string | undefined {
  const record = (body ?? {}) as { param?: unknown; detail?: Array<{ loc?: unknown[] }> };
  if (typeof record.param === "string" && KNOWN_PARAMS.includes(record.param)) return record.param;
  const loc = record.detail?.[0]?.loc?.at(-1);
  if (typeof loc === "string" && KNOWN_PARAMS.includes(loc)) return loc;
  if (/"auto" tool choice requires|tool_choice/i.test(text)) return "tool_choice";
  const named = /(?:unsupported (?:parameter|value)|unrecognized request argument supplied|unknown (?:parameter|field)|extra inputs are not permitted|not supported)[^a-z_]*'?"?([a-z_]+)/i.exec(text)?.[1];
  if (named && KNOWN_PARAMS.includes(named)) return named;
  return KNOWN_PARAMS.find((p) => new RegExp(`'${p}'|"${p}"|\`${p}\``).test(text) && /not supported|unsupported|unrecognized|not permitted|invalid/i.test(text));
}

/**
 * How long the provider asked to wait: `retry-after-ms`, `retry-after`
 * (seconds or a date), `x-ratelimit-reset-requests` / `-tokens` ("1s",
 * "6m0s", "20ms"), or a "try again in 1.5s" text. Undefined → backoff.
 */
export function retryDelayMs(headers: Headers | undefined, text: string, now = Date.now()): number | undefined {
  const header = (name: string) => headers?.get(name) ?? undefined;
  const ms = Number(header("retry-after-ms"));
  if (header("retry-after-ms") !== undefined && Number.isFinite(ms)) return Math.max(0, ms);
  const after = header("retry-after");
  if (after !== undefined) {
    const seconds = Number(after);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(after);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  const resets = ["x-ratelimit-reset-tokens", "x-ratelimit-reset-requests", "x-ratelimit-reset"].map(header).flatMap((v) => (v === undefined ? [] : [parseDuration(v)]));
  const reset = Math.max(...resets.filter((v): v is number => v !== undefined), -1);
  if (reset >= 0) return reset;
  const phrase = /(?:try again|retry) (?:in|after) ((?:\d+(?:\.\d+)?\s*(?:ms|h|m|s|seconds?|minutes?)\s*)+)/i.exec(text)?.[1];
  return phrase !== undefined ? parseDuration(phrase) : undefined;
}

/** "1.5s", "6m0s", "20ms", "30 seconds", "2 minutes" → milliseconds. */
export function parseDuration(text: string): number | undefined {
  const units: Record<string, number> = { ms: 1, s: 1000, second: 1000, seconds: 1000, m: 60_000, minute: 60_000, minutes: 60_000, h: 3_600_000 };
  let total = 0;
  let matched = false;
  for (const part of text.trim().matchAll(/(\d+(?:\.\d+)?)\s*(ms|seconds?|minutes?|h|m|s)/gi)) {
    total += Number(part[1]) * (units[part[2]!.toLowerCase()] ?? 0);
    matched = true;
  }
  if (!matched && /^\d+(\.\d+)?$/.test(text.trim())) return Number(text.trim()) * 1000;
  return matched ? total : undefined;
}
