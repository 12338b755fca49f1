/**
 * The toolchain cache's requests to the registry, retried when they can
 * succeed on retry: a connection that failed or was reset, a 5xx, a 429
 * (after its `retry-after`, capped). A 4xx that cannot succeed is not
 * retried; an aborted request is never retried.
 */
const DELAYS_MS = [500, 2_000, 5_000];
const MAX_RETRY_AFTER_MS = 10_000;

export function retryingFetch(inner: typeof fetch, delays: readonly number[] = DELAYS_MS): typeof fetch {
  return async (input, init) => {
    for (let attempt = 0; ; attempt++) {
      const signal = init?.signal ?? undefined;
      let wait: number | undefined;
      try {
        const response = await inner(input, init);
        if (attempt >= delays.length || !(response.status >= 500 || response.status === 429)) return response;
        const after = Number(response.headers.get("retry-after"));
        wait = Number.isFinite(after) && after > 0 ? Math.min(after * 1000, MAX_RETRY_AFTER_MS) : delays[attempt];
        await response.body?.cancel().catch(() => undefined);
      } catch (error) {
        if (signal?.aborted || attempt >= delays.length || (error as Error).name === "AbortError") throw error;
        wait = delays[attempt];
      }
      await sleep(wait ?? 0, signal);
    }
  };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason as Error)), { once: true });
  });
}
