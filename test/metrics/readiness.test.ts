import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/metrics/create-metrics.ts";
import { createOperationsRoutes } from "../../src/metrics/operations-routes.ts";
import { cacheWhileUsable, type ReadinessChecks } from "../../src/metrics/readiness.ts";

/** Serves the operations routes over real HTTP with the given checks; returns the responses. */
async function get(checks: ReadinessChecks, paths: string[]): Promise<{ status: number; type: string | null; body: string }[]> {
  const metrics = createMetrics({ registry: new Registry(), queueDepth: async () => ({ queued: 0, running: 0 }), processMetrics: false });
  const routes = createOperationsRoutes({ readiness: checks, metrics, redact: (text) => text.replaceAll("s3cret", "[REDACTED]") });
  const server = createServer((req, res) => void (routes(req, res) || res.writeHead(404).end()));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const out = [];
    for (const p of paths) {
      const res = await fetch(base + p);
      out.push({ status: res.status, type: res.headers.get("content-type"), body: await res.text() });
    }
    return out;
  } finally {
    server.close();
  }
}

const healthy: ReadinessChecks = { store: async () => {}, sandbox: async () => {}, model: () => null };

describe("/readyz and /healthz", () => {
  it("is ready when the store answers, the sandbox can be built and the model is configured", async () => {
    const [ready, health, other] = await get(healthy, ["/readyz", "/healthz", "/nope"]);
    expect(ready?.status).toBe(200);
    expect(JSON.parse(ready!.body)).toEqual({ ready: true, checks: { store: "ok", sandbox: "ok", model: "ok" } });
    expect(health).toMatchObject({ status: 200, body: '{"ok":true}' });
    expect(other?.status).toBe(404);
  });

  it("answers 503 naming each thing that is wrong, redacted, while /healthz stays 200", async () => {
    const checks: ReadinessChecks = {
      store: () => {
        throw new Error("database is locked");
      },
      sandbox: async () => {
        throw new Error("/usr/bin/bwrap is not installed (token s3cret)");
      },
      model: () => "no model endpoint: set OPENAI_API_KEY or OPENAI_BASE_URL",
    };
    const [ready, health] = await get(checks, ["/readyz", "/healthz"]);
    expect(ready?.status).toBe(503);
    expect(ready?.type).toBe("application/json");
    expect(JSON.parse(ready!.body)).toEqual({
      ready: false,
      checks: {
        store: "the store does not answer: database is locked",
        sandbox: "/usr/bin/bwrap is not installed (token [REDACTED])",
        model: "no model endpoint: set OPENAI_API_KEY or OPENAI_BASE_URL",
      },
    });
    expect(health?.status).toBe(200);
  });

  it("serves the Prometheus text exposition on /metrics", async () => {
    const [metrics] = await get(healthy, ["/metrics"]);
    expect(metrics?.status).toBe(200);
    expect(metrics?.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(metrics?.body).toMatch(/^# TYPE patchwright_jobs_total counter$/m);
  });
});

describe("the sandbox probe's cache", () => {
  it("probes once while usable, shares a probe in flight, and probes again after a failure", async () => {
    let calls = 0;
    let fail = true;
    const probe = cacheWhileUsable(async () => {
      calls++;
      if (fail) throw new Error("bwrap: no user namespaces");
    });
    const [a, b] = await Promise.allSettled([probe(), probe()]);
    expect([a.status, b.status, calls]).toEqual(["rejected", "rejected", 1]);
    fail = false;
    await probe();
    await probe();
    expect(calls).toBe(2);
  });
});
