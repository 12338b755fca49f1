import { describe, expect, it } from "vitest";
import { retryingFetch } from "../../src/toolchains/retrying-fetch.ts";

/** A fetch that answers from a list, recording each call. */
function scripted(answers: (Response | Error)[]): { fetch: typeof fetch; calls: () => number } {
  let calls = 0;
  const fetchImpl = (async () => {
    const answer = answers[Math.min(calls++, answers.length - 1)]!;
    if (answer instanceof Error) throw answer;
    return answer;
  }) as typeof fetch;
  return { fetch: fetchImpl, calls: () => calls };
}

describe("retryingFetch", () => {
  it("retries a reset connection and a 503, then returns the success", async () => {
    const inner = scripted([new TypeError("fetch failed"), new Response("busy", { status: 503 }), new Response("ok")]);
    const response = await retryingFetch(inner.fetch, [0, 0, 0])("https://registry.example/x");
    expect(await response.text()).toBe("ok");
    expect(inner.calls()).toBe(3);
  });

  it("does not retry a 404", async () => {
    const inner = scripted([new Response("no", { status: 404 }), new Response("ok")]);
    expect((await retryingFetch(inner.fetch, [0, 0])("https://registry.example/x")).status).toBe(404);
    expect(inner.calls()).toBe(1);
  });

  it("gives up after its retries with the last answer or error", async () => {
    const failing = scripted([new TypeError("fetch failed")]);
    await expect(retryingFetch(failing.fetch, [0, 0])("https://registry.example/x")).rejects.toThrow("fetch failed");
    expect(failing.calls()).toBe(3);
    const busy = scripted([new Response("busy", { status: 502 })]);
    expect((await retryingFetch(busy.fetch, [0])("https://registry.example/x")).status).toBe(502);
    expect(busy.calls()).toBe(2);
  });

  it("never retries an aborted request", async () => {
    const controller = new AbortController();
    controller.abort();
    const inner = scripted([Object.assign(new Error("aborted"), { name: "AbortError" })]);
    await expect(retryingFetch(inner.fetch, [0, 0])("https://registry.example/x", { signal: controller.signal })).rejects.toThrow("aborted");
    expect(inner.calls()).toBe(1);
  });
});
