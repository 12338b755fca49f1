/**
 * The two webhook servers `bench/ack.ts` compares, each run in its own child
 * process (`ack-child.ts`):
 *   - baseline: a bare Probot app, no-op handler, Probot's own middleware;
 *   - patchwright: the webhook half of `src/start-app.ts` (redacting logger,
 *     Probot with the app's Octokit, the SQLite queue, background tasks,
 *     metrics, `createApp`), without the worker, so jobs stay queued.
 *     The operator routes are left out: a POST passes them with one method check.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { createNodeMiddleware, Probot } from "probot";
import { Registry } from "prom-client";
import { createApp } from "../../src/app.ts";
import { GitHubOctokit } from "../../src/github/github-octokit.ts";
import { createRepoGitHub } from "../../src/github/repo-github.ts";
import type { Octokit } from "../../src/github/types.ts";
import { createMetrics } from "../../src/metrics/create-metrics.ts";
import { observeWebhooks } from "../../src/metrics/observe-webhooks.ts";
import { createOrigin } from "../../src/pipeline/origins/create-origin.ts";
import type { JobRecord } from "../../src/queue/job.ts";
import { openSqliteQueue } from "../../src/queue/sqlite-queue.ts";
import { createRedactor } from "../../src/security/redact.ts";
import { createBackgroundTasks } from "../../src/webhooks/background-tasks.ts";

export type AckServerKind = "baseline" | "patchwright";

export interface AckServerOptions {
  readonly secret: string;
  readonly privateKey: string;
  /** The REST API base of the fake GitHub the acknowledgements go to. */
  readonly githubApiUrl: string;
  /** The queue's directory (patchwright only). */
  readonly dataDir: string;
  readonly logLevel: string;
}

export interface AckServer {
  readonly port: number;
  /** Jobs in the queue (patchwright; null for the baseline) and acknowledgements recorded on them. */
  jobs(): Promise<{ queued: number; acknowledged: number } | null>;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function listen(handler: Handler): Promise<Server> {
  const server = createServer(handler);
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return server;
}

const closeServer = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

export async function startBaselineServer(options: AckServerOptions): Promise<AckServer> {
  const probot = new Probot({
    appId: 1,
    privateKey: options.privateKey,
    secret: options.secret,
    baseUrl: options.githubApiUrl,
    log: pino({ level: options.logLevel }),
  });
  const middleware = await createNodeMiddleware(
    (app) => {
      app.on("workflow_run.completed", async () => {});
    },
    { probot },
  );
  const server = await listen((req, res) => void middleware(req, res, () => res.writeHead(404).end()));
  return { port: (server.address() as AddressInfo).port, jobs: async () => null, close: () => closeServer(server) };
}

/** As `startApp` wires it (keep in step with `src/start-app.ts`), minus the worker and the model. */
export async function startPatchwrightServer(options: AckServerOptions): Promise<AckServer> {
  // secretsOf(env): the private key, the webhook secret (and the model key, none here).
  const redact = createRedactor([options.privateKey, options.secret, ""]);
  const originOf = (octokit: Octokit, job: JobRecord) => createOrigin(job, createRepoGitHub(octokit, job.payload.repo, redact));
  const log = pino({ level: options.logLevel, hooks: { streamWrite: (line) => redact(line) } });
  const probot = new Probot({
    appId: 1,
    privateKey: options.privateKey,
    secret: options.secret,
    baseUrl: options.githubApiUrl,
    log,
    Octokit: GitHubOctokit,
  });
  const queue = openSqliteQueue({ dataDir: options.dataDir });
  const tasks = createBackgroundTasks(log);
  const metrics = createMetrics({ registry: new Registry(), queueDepth: () => queue.depth() });
  let acknowledged = 0;
  const middleware = await createNodeMiddleware(
    createApp({
      queue,
      tasks,
      redact,
      appId: 1,
      appLogin: async () => "patchwright[bot]",
      coalesceMs: 5_000,
      reportCancelled: (octokit, job, by) => originOf(octokit, job).reportCancelledBeforeStart(by),
      acknowledge: async (job) => {
        const octokit = (await probot.auth(job.payload.installationId)) as Octokit;
        const id = await originOf(octokit, job).acknowledge();
        if (id !== null) await queue.setAck(job.id, id);
        acknowledged += 1;
      },
    }),
    { probot },
  );
  const webhooks = observeWebhooks(middleware, metrics);
  const server = await listen((req, res) => void webhooks(req, res, () => res.writeHead(404).end()));
  return {
    port: (server.address() as AddressInfo).port,
    async jobs() {
      const depth = await queue.depth();
      return { queued: depth.queued, acknowledged };
    },
    async close() {
      await closeServer(server);
      // Acknowledgements still waiting behind the write throttle are dropped: the bench is over.
      await queue.close();
    },
  };
}
