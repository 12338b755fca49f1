import type { IncomingMessage, ServerResponse } from "node:http";
import type { Metrics } from "./create-metrics.ts";
import { checkReadiness, type ReadinessChecks } from "./readiness.ts";

/**
 * The operator's endpoints: `/healthz` (liveness: the process answers),
 * `/readyz` (readiness: 200, or 503 naming what is wrong) and `/metrics`
 * (Prometheus text). Returns false for any other request.
 */
/** `redact` covers the 503 body: a failing check's message may quote anything. */
export function createOperationsRoutes(deps: { readiness: ReadinessChecks; metrics: Metrics; redact: (text: string) => string }) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== "GET") return false;
    const url = (req.url ?? "").split("?")[0];
    if (url === "/healthz") {
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
      return true;
    }
    if (url === "/readyz") {
      void checkReadiness(deps.readiness).then(
        (readiness) => res.writeHead(readiness.ready ? 200 : 503, { "content-type": "application/json" }).end(deps.redact(JSON.stringify(readiness))),
        (error: unknown) => res.writeHead(503, { "content-type": "application/json" }).end(deps.redact(JSON.stringify({ ready: false, error: String(error) }))),
      );
      return true;
    }
    if (url === "/metrics") {
      void deps.metrics.exposition().then(
        ({ contentType, text }) => res.writeHead(200, { "content-type": contentType }).end(text),
        (error: unknown) => res.writeHead(500, { "content-type": "text/plain" }).end(`metrics unavailable: ${String(error)}`),
      );
      return true;
    }
    return false;
  };
}
