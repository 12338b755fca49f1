/**
 * Sends deliveries to a webhook URL over keep-alive HTTP/1.1 connections,
 * `concurrency` requests in flight at a time (a closed loop: each connection
 * sends its next delivery as soon as its previous one is answered), and
 * times each one from the request being written to the end of the response.
 */
import { Agent, request } from "node:http";
import type { SignedDelivery } from "./ack-deliveries.ts";

export interface LoadResult {
  /** Per delivery, in milliseconds, in completion order. */
  readonly latenciesMs: number[];
  readonly wallMs: number;
  /** Deliveries answered with something other than a 2xx, by status (0: the request failed). */
  readonly failures: ReadonlyMap<number, number>;
  /** One response body of a failure, to say what went wrong. */
  readonly firstFailure: string | null;
}

/** An agent that keeps `concurrency` connections open between requests and rounds. */
export function keepAliveAgent(concurrency: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
}

export async function sendDeliveries(url: string, deliveries: readonly SignedDelivery[], options: { concurrency: number; agent: Agent }): Promise<LoadResult> {
  const target = new URL(url);
  const latenciesMs: number[] = [];
  const failures = new Map<number, number>();
  let firstFailure: string | null = null;
  let next = 0;

  const sendOne = (delivery: SignedDelivery): Promise<void> =>
    new Promise((resolve) => {
      const started = performance.now();
      const fail = (status: number, text: string) => {
        failures.set(status, (failures.get(status) ?? 0) + 1);
        firstFailure ??= `${status}: ${text.slice(0, 300)}`;
        resolve();
      };
      const req = request(
        { host: target.hostname, port: target.port, path: target.pathname, method: "POST", headers: delivery.headers, agent: options.agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => {
            latenciesMs.push(performance.now() - started);
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve();
            else fail(status, Buffer.concat(chunks).toString("utf8"));
          });
          res.on("error", (error) => fail(0, String(error)));
        },
      );
      req.on("error", (error) => fail(0, String(error)));
      req.end(delivery.body);
    });

  const worker = async (): Promise<void> => {
    while (next < deliveries.length) {
      const delivery = deliveries[next];
      next += 1;
      if (delivery) await sendOne(delivery);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(options.concurrency, deliveries.length) }, worker));
  return { latenciesMs, wallMs: performance.now() - started, failures, firstFailure };
}

/** The nearest-rank percentile `p` (0–100) of `xs`. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? Number.NaN) + (s[mid] ?? Number.NaN)) / 2;
}
