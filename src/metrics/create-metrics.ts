import { collectDefaultMetrics, Counter, Gauge, Histogram, type Registry } from "prom-client";

/**
 * What the app tells Prometheus. Every metric lives in the registry passed in
 * (never prom-client's global one), so two apps in one process, or a test,
 * each see their own.
 */
export interface Metrics {
  /** A job came to an outcome (`succeeded`, `failed`, `skipped`, `cancelled`, `retry`) after `seconds`. */
  jobEnded(kind: string, outcome: string, seconds: number): void;
  /** Model spend of one call, from the one place spend is recorded (`deps.usage.record`). */
  spent(model: string, tokens: number, costUsd: number): void;
  /** One request through the webhook middleware. */
  webhookHandled(event: string, status: number, seconds: number): void;
  /** A job stopped because the sandbox could not be built or started (`sandbox_unavailable`). */
  sandboxFailed(): void;
  /** A job left one of its stages (`Reproducing the failure`, `Fixing`…) after `seconds`. */
  stageEnded(kind: string, stage: string, seconds: number): void;
  /** A job was leased for its first run `seconds` after it was enqueued (its coalescing delay included). */
  jobWaited(kind: string, seconds: number): void;
  /** The text exposition, for `GET /metrics`. */
  exposition(): Promise<{ contentType: string; text: string }>;
}

export interface MetricsDeps {
  registry: Registry;
  /** Read from the store at each scrape. */
  queueDepth(): Promise<{ queued: number; running: number }>;
  /** Process CPU, memory, event loop lag… (prom-client's defaults, into `registry`). Default on. */
  processMetrics?: boolean;
}

const JOB_SECONDS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600];
const WEBHOOK_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** GitHub's event names; anything else (an unsigned request's header) is not a label value. */
const EVENT_NAME = /^[a-z_]{1,40}$/;

export function createMetrics(deps: MetricsDeps): Metrics {
  const registers = [deps.registry];
  if (deps.processMetrics !== false) collectDefaultMetrics({ register: deps.registry, prefix: "patchwright_" });
  const jobs = new Counter({ name: "patchwright_jobs_total", help: "Jobs that came to an outcome, by kind and outcome.", labelNames: ["kind", "outcome"], registers });
  const jobSeconds = new Histogram({ name: "patchwright_job_duration_seconds", help: "Time from lease to outcome of a job run, by kind.", labelNames: ["kind"], buckets: JOB_SECONDS, registers });
  new Gauge({
    name: "patchwright_queue_jobs",
    help: "Jobs in the store's queue by state: queued (due or delayed) and running, across every process sharing it.",
    labelNames: ["state"],
    registers,
    async collect() {
      const depth = await deps.queueDepth();
      this.set({ state: "queued" }, depth.queued);
      this.set({ state: "running" }, depth.running);
    },
  });
  const tokens = new Counter({ name: "patchwright_model_tokens_total", help: "Model tokens spent, by model.", labelNames: ["model"], registers });
  const cost = new Counter({ name: "patchwright_model_cost_usd_total", help: "Model spend in USD (PATCHWRIGHT_PRICES), by model.", labelNames: ["model"], registers });
  const webhookSeconds = new Histogram({
    name: "patchwright_webhook_duration_seconds",
    help: "Time to answer a webhook request, by event and status code.",
    labelNames: ["event", "status"],
    buckets: WEBHOOK_SECONDS,
    registers,
  });
  const stageSeconds = new Histogram({ name: "patchwright_stage_duration_seconds", help: "Time a job spent in each stage, by kind and stage.", labelNames: ["kind", "stage"], buckets: JOB_SECONDS, registers });
  const waitSeconds = new Histogram({ name: "patchwright_queue_wait_seconds", help: "Time from enqueue to a job's first lease, by kind (coalescing delay included).", labelNames: ["kind"], buckets: JOB_SECONDS, registers });
  const sandboxFailures = new Counter({ name: "patchwright_sandbox_failures_total", help: "Job runs stopped because the sandbox was unavailable.", registers });

  return {
    jobEnded(kind, outcome, seconds) {
      jobs.inc({ kind, outcome });
      jobSeconds.observe({ kind }, seconds);
    },
    spent(model, tokenCount, costUsd) {
      if (tokenCount > 0) tokens.inc({ model }, tokenCount);
      if (costUsd > 0) cost.inc({ model }, costUsd);
    },
    webhookHandled(event, status, seconds) {
      webhookSeconds.observe({ event: status < 400 && EVENT_NAME.test(event) ? event : "invalid", status: String(status) }, seconds);
    },
    sandboxFailed() {
      sandboxFailures.inc();
    },
    stageEnded(kind, stage, seconds) {
      stageSeconds.observe({ kind, stage }, seconds);
    },
    jobWaited(kind, seconds) {
      waitSeconds.observe({ kind }, seconds);
    },
    async exposition() {
      return { contentType: deps.registry.contentType, text: await deps.registry.metrics() };
    },
  };
}
