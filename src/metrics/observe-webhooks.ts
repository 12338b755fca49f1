import type { IncomingMessage, ServerResponse } from "node:http";
import type { Metrics } from "./create-metrics.ts";

type Middleware = (req: IncomingMessage, res: ServerResponse, next?: () => void) => unknown;

/** Wraps Probot's middleware: each request's time to its response, by GitHub event and status. */
export function observeWebhooks(middleware: Middleware, metrics: Pick<Metrics, "webhookHandled">, now: () => number = performance.now.bind(performance)): Middleware {
  return (req, res, next) => {
    const started = now();
    res.once("finish", () => {
      const event = req.headers["x-github-event"];
      metrics.webhookHandled(typeof event === "string" ? event : "none", res.statusCode, (now() - started) / 1000);
    });
    return middleware(req, res, next);
  };
}
