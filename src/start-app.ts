import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Registry } from "prom-client";
import { pino, type Logger } from "pino";
import { createNodeMiddleware, Probot } from "probot";
import { createChatModel, modelSettingsOf } from "./agent/create-chat-model.ts";
import { probeModel } from "./agent/probe-model.ts";
import { createApp } from "./app.ts";
import { EnvError, secretsOf, type AppEnv } from "./config/env.ts";
import { createPipelineDeps } from "./create-pipeline-deps.ts";
import { createMetrics } from "./metrics/create-metrics.ts";
import { observeWebhooks } from "./metrics/observe-webhooks.ts";
import { createOperationsRoutes } from "./metrics/operations-routes.ts";
import { createDashboardRoutes } from "./dashboard/dashboard-routes.ts";
import { startRedeliveryLoop } from "./github/redeliver-deliveries.ts";
import { cacheWhileUsable } from "./metrics/readiness.ts";
import { loadAppLogin } from "./github/bot-identity.ts";
import { GitHubOctokit } from "./github/github-octokit.ts";
import { createRepoGitHub } from "./github/repo-github.ts";
import type { Octokit } from "./github/types.ts";
import { createOrigin } from "./pipeline/origins/create-origin.ts";
import { acknowledgeJob } from "./pipeline/acknowledge-job.ts";
import { prepareJob } from "./pipeline/prepare-job.ts";
import { runJob } from "./pipeline/run-job.ts";
import type { JobRecord } from "./queue/job.ts";
import { openQueue } from "./queue/open-queue.ts";
import { startWorker } from "./queue/start-worker.ts";
import { createRedactor } from "./security/redact.ts";
import { createBackgroundTasks } from "./webhooks/background-tasks.ts";
import { createSandbox } from "./workspace/create-sandbox.ts";
import { discardSpareCheckouts, drainWorkspaceRemovals } from "./workspace/open-workspace.ts";
import { configureHostGit } from "./workspace/host-git-env.ts";

export interface RunningApp {
  url: string;
  log: Logger;
  stop(): Promise<void>;
}

/**
 * The composition root: builds every adapter from the validated environment,
 * serves webhooks and runs the embedded worker. No business logic here.
 */
export async function startApp(env: AppEnv, options: { role?: "app" | "worker" } = {}): Promise<RunningApp> {
  // A worker runs jobs and serves the operator's probes and metrics, but takes no webhooks.
  const serveWebhooks = options.role !== "worker";
  if (!serveWebhooks && env.jobs.concurrency === 0) throw new EnvError("PATCHWRIGHT_CONCURRENCY=0 leaves a worker nothing to do: give it at least 1.");
  configureHostGit(env.gitPassthrough);
  const redact = createRedactor(secretsOf(env));
  // The model first: a model that cannot work is one start-up error, not one failed job per webhook.
  const { configured, probe } = await (async () => {
    const configured = createChatModel(modelSettingsOf(env.model));
    const probe = env.model.probe ? await probeModel({ model: configured.model, modelName: env.model.name, adaptations: configured.adaptations }) : null;
    return { configured, probe };
  })().catch((error: unknown) => {
    throw new EnvError(redact(error instanceof Error ? error.message : String(error)));
  });
  const model = configured.model;
  /** Where a job's requester is told things, through one installation's Octokit. */
  const originOf = (octokit: Octokit, job: JobRecord) => createOrigin(job, createRepoGitHub(octokit, job.payload.repo, redact));
  // Every log line is redacted as it is written, whatever a caller put in it.
  const log = pino({ level: env.logLevel, hooks: { streamWrite: (line) => redact(line) } });
  const probot = new Probot({
    appId: env.appId,
    privateKey: env.privateKey,
    secret: env.webhookSecret,
    baseUrl: env.githubApiUrl,
    log,
    // Rate limits, primary and secondary, are waited out (github/github-octokit.ts).
    Octokit: GitHubOctokit,
  });
  const queue = await openQueue(env, log);
  const tasks = createBackgroundTasks(log);
  const metrics = createMetrics({ registry: new Registry(), queueDepth: () => queue.depth() });
  // Asked of GitHub once; a failure is asked again on the next delivery that needs it.
  let appLogin: Promise<string> | undefined;

  const middleware = await createNodeMiddleware(
    createApp({
      queue,
      tasks,
      redact,
      appId: env.appId,
      appLogin: () =>
        (appLogin ??= (async () => loadAppLogin((await probot.auth()) as Octokit))().catch((error: unknown) => {
          appLogin = undefined;
          throw error;
        })),
      coalesceMs: env.coalesceMs,
      reportCancelled: (octokit, job, by) => originOf(octokit, job).reportCancelledBeforeStart(by),
      acknowledge: (job) =>
        acknowledgeJob(queue, job, async (current) => originOf((await probot.auth(current.payload.installationId)) as Octokit, current).acknowledge()),
    }),
    { probot },
  );
  const webhooks = observeWebhooks(middleware, metrics);
  const operations = createOperationsRoutes({
    metrics,
    redact,
    readiness: {
      store: async () => void (await queue.depth()),
      sandbox: cacheWhileUsable(() => probeSandbox(env.allowUnsandboxed)),
      model: () => (env.model.baseURL === undefined && env.model.apiKey === "unused" ? "no model endpoint: set OPENAI_API_KEY or OPENAI_BASE_URL" : null),
    },
  });
  const dashboard = createDashboardRoutes({ queue, operatorToken: env.operatorToken, redact });
  const server: Server = createServer((req, res) => {
    if (operations(req, res)) return;
    if (serveWebhooks && dashboard(req, res)) return;
    if (serveWebhooks) void webhooks(req, res, () => res.writeHead(404).end());
    else res.writeHead(404, { "content-type": "text/plain" }).end("a Patchwright worker: /healthz, /readyz and /metrics only\n");
  });
  server.listen(env.port, env.host ?? "0.0.0.0");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;

  const pipelineDeps = createPipelineDeps({ env, probot, queue, model, log, redact, metrics });
  // PATCHWRIGHT_CONCURRENCY=0: this process takes webhooks; worker processes sharing the queue run the jobs.
  const worker =
    env.jobs.concurrency === 0
      ? { stop: async () => {} }
      : startWorker({
          queue,
          log,
          concurrency: env.jobs.concurrency,
          caps: { perInstallation: env.jobs.maxPerInstallation, perRepository: env.jobs.maxPerRepository },
          ...(env.speculate ? { prepare: (job: JobRecord) => prepareJob(job, pipelineDeps) } : {}),
          process: async (job, signal) => {
            if (job.attempts === 1) metrics.jobWaited(job.payload.kind, (Date.now() - job.createdAt) / 1000);
            const started = performance.now();
            const result = await runJob(job, pipelineDeps, signal);
            metrics.jobEnded(job.payload.kind, result.state, (performance.now() - started) / 1000);
            return result;
          },
          abandon: async (job, reason) => {
            const octokit = (await probot.auth(job.payload.installationId)) as Octokit;
            await originOf(octokit, job).report({ conclusion: "failure", title: "Patchwright stopped", summary: `This job was given up: ${reason}. Comment \`/agent fix\` to try again.` });
          },
        });
  // Deliveries GitHub could not hand over (the app was down, a 5xx) are asked for again.
  const redelivery = serveWebhooks
    ? startRedeliveryLoop({
        octokit: (await probot.auth()) as Octokit,
        wasProcessed: (guid) => queue.hasDelivery(guid),
        log: log.child({ task: "webhook-redelivery" }),
        intervalMs: 5 * 60_000,
        lookbackMs: 6 * 3_600_000,
      })
    : { stop: async () => {} };
  log.info({ port, role: serveWebhooks ? "app" : "worker", queue: env.redisUrl === undefined ? "sqlite" : "redis", githubApiUrl: env.githubApiUrl, dataDir: env.dataDir, jobs: env.jobs }, "patchwright listening");
  if (probe) log.info({ model: probe.lines.map(redact) }, "model checked");

  return {
    url: `http://127.0.0.1:${port}`,
    log,
    /**
     * Graceful shutdown: stop leasing, abort running jobs so that each puts
     * itself back in the queue at its next checkpoint, then stop serving,
     * let webhook acknowledgements finish, and close the store.
     */
    async stop() {
      await redelivery.stop();
      await worker.stop();
      // The workspaces' spare checkouts and background deletions outlive jobs, not the process.
      await discardSpareCheckouts();
      await drainWorkspaceRemovals().catch((error: unknown) => log.warn({ err: error }, "some workspaces could not be deleted"));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
      await tasks.settled();
      await queue.close();
    },
  };
}

/** Whether a sandbox can be built here: the bubblewrap probe of `createSandbox`, in a throwaway directory. */
async function probeSandbox(allowUnsandboxed: boolean): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), "patchwright-readyz-"));
  try {
    await createSandbox({ root: dir, allowUnsandboxed });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
