import OpenAI from "openai";

export interface LlmClientOptions {
  /** An OpenAI-compatible base URL ending in `/v1` (OpenAI, vLLM, Ollama, LiteLLM, the test server). */
  readonly baseURL: string;
  /** Bearer token; local endpoints often need none. */
  readonly apiKey?: string | undefined;
  /** Per-request timeout. Default 5 minutes: a long tool-calling completion on a slow local model. */
  readonly timeoutMs?: number | undefined;
  /** Retries of 408/409/429/5xx and connection errors, with the SDK's backoff. Default 2. */
  readonly maxRetries?: number | undefined;
}

/**
 * The only place that constructs the OpenAI SDK client. Every option is
 * passed explicitly so the SDK never falls back to `OPENAI_*` variables of the
 * process environment (configuration is read in `config/env.ts` only).
 */
export function createLlmClient(options: LlmClientOptions): OpenAI {
  return new OpenAI({
    baseURL: options.baseURL,
    // The SDK refuses to start without a key; endpoints such as Ollama ignore it.
    apiKey: options.apiKey !== undefined && options.apiKey !== "" ? options.apiKey : "no-key",
    adminAPIKey: null,
    organization: null,
    project: null,
    webhookSecret: null,
    timeout: options.timeoutMs ?? 5 * 60_000,
    maxRetries: options.maxRetries ?? 2,
    logLevel: "off",
  });
}
