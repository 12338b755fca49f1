/**
 * Resilience around any `ChatModel`, shared by every agent of the process:
 * - 429 and 5xx (and errors inside a 200) are retried with backoff; a wait the
 *   provider names (retry-after, x-ratelimit-reset-*, "try again in N s") is
 *   honoured, and it holds back every caller, not only the one that hit it: a
 *   tokens-per-minute limit must not kill all fixers within two seconds;
 * - transient tool-generation failures get the profile's bounded retries;
 * - the first calls of new conversations (parallel fixers) are staggered.
 */
import type { ChatModel, ChatRequest, ChatResponse } from "./chat-model.ts";
import { ModelCallError } from "./model-errors.ts";

export interface RetryOptions {
  readonly maxRateLimitRetries?: number;
  readonly maxServerRetries?: number;
  /** Retries of a tool-generation failure; default the profile's. */
  readonly toolGenerationRetries?: number;
  /** Backoff when the provider names no wait: base × 2^n, capped, with jitter. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Gap between the first calls of conversations that start together. */
  readonly staggerMs?: number;
  /** Injectable for tests. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly now?: () => number;
  readonly random?: () => number;
  /** Told about each retry (for logs). */
  readonly onRetry?: (info: { kind: string; attempt: number; delayMs: number; message: string }) => void;
}

export function withRetries(model: ChatModel, options: RetryOptions = {}): ChatModel {
  const sleep = options.sleep ?? abortableSleep;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const base = options.baseDelayMs ?? 2_000;
  const cap = options.maxDelayMs ?? 60_000;
  const stagger = options.staggerMs ?? 0;
  let blockedUntil = 0;
  let nextFirstCallAt = 0;

  const wrapped: ChatModel = {
    // Read through: the wrapped model's profile can learn (the endpoint's context window).
    get profile() {
      return model.profile;
    },
    ...(model.discoverContextWindow ? { discoverContextWindow: () => model.discoverContextWindow!() } : {}),
    async complete(request: ChatRequest): Promise<ChatResponse> {
      if (stagger > 0 && !request.messages.some((m) => m.role === "assistant")) {
        const at = Math.max(now(), nextFirstCallAt);
        nextFirstCallAt = at + stagger;
        if (at > now()) await sleep(at - now(), request.signal);
      }
      const counts = { rate_limit: 0, server: 0, tool_generation: 0 };
      for (;;) {
        if (blockedUntil > now()) await sleep(blockedUntil - now(), request.signal);
        try {
          return await model.complete(request);
        } catch (error) {
          if (!(error instanceof ModelCallError)) throw error;
          const kind = error.kind === "bad_response" ? "server" : error.kind;
          if (kind !== "rate_limit" && kind !== "server" && kind !== "tool_generation") throw error;
          const limit =
            kind === "rate_limit"
              ? (options.maxRateLimitRetries ?? 6)
              : kind === "server"
                ? (options.maxServerRetries ?? 3)
                : (options.toolGenerationRetries ?? model.profile?.toolGenerationRetries ?? 1);
          if (counts[kind] >= limit) throw error;
          counts[kind]++;
          const backoff = Math.min(cap, base * 2 ** (counts[kind] - 1)) * (0.75 + random() * 0.5);
          const delay = kind === "tool_generation" ? 0 : Math.min(cap * 5, error.retryAfterMs ?? backoff);
          // A rate limit is the whole process's: every caller waits it out.
          if (kind === "rate_limit") blockedUntil = Math.max(blockedUntil, now() + delay);
          options.onRetry?.({ kind, attempt: counts[kind], delayMs: Math.round(delay), message: error.providerMessage });
          if (delay > 0 && kind !== "rate_limit") await sleep(delay, request.signal);
        }
      }
    },
  };
  return wrapped;
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
