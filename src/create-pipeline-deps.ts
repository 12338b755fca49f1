import path from "node:path";
import type { Logger } from "pino";
import type { Probot } from "probot";
import type { ChatModel } from "./agent/chat-model.ts";
import { costOf, tokensForCost } from "./config/price-table.ts";
import { runRole } from "./agent/run-role.ts";
import type { AppEnv } from "./config/env.ts";
import { gatherEvidence } from "./evidence/gather-evidence.ts";
import { loadBotIdentity } from "./github/bot-identity.ts";
import { createRepoGitHub } from "./github/repo-github.ts";
import { mintInstallationToken } from "./github/mint-installation-token.ts";
import type { Octokit } from "./github/types.ts";
import type { PipelineDeps } from "./pipeline/pipeline-deps.ts";
import type { Metrics } from "./metrics/create-metrics.ts";
import type { JobQueue } from "./queue/sqlite-queue.ts";
import { redactJson, type Redactor } from "./security/redact.ts";
import { createToolchainProvider } from "./toolchains/create-toolchain-provider.ts";
import { commitTree } from "./workspace/commit-all.ts";
import { diffWorkspace } from "./workspace/diff-workspace.ts";
import { forkWorkspace } from "./workspace/fork-workspace.ts";
import { listUntracked } from "./workspace/list-untracked.ts";
import { openWorkspace } from "./workspace/open-workspace.ts";
import { prefetchCommit } from "./workspace/prefetch-commit.ts";
import { pushBranch } from "./workspace/push-branch.ts";
import { pushOntoBranch } from "./workspace/push-onto-branch.ts";

/** Spare checkouts and background removal: process-wide state that `startApp`'s `stop` deletes. */
const WARM_OPEN = { spare: true, backgroundRemoval: true } as const;

/** Binds the pipeline's ports to the real adapters: Probot's Octokit, git, bubblewrap, the model. */
export function createPipelineDeps(args: {
  env: AppEnv;
  probot: Probot;
  queue: JobQueue;
  model: ChatModel;
  log: Logger;
  redact: Redactor;
  /** Spend and sandbox failures, counted where the pipeline records them. */
  metrics?: Pick<Metrics, "spent" | "sandboxFailed" | "stageEnded">;
}): PipelineDeps {
  const { env, probot, queue, model, log, redact, metrics } = args;
  let identity: Promise<{ name: string; email: string }> | undefined;
  const cacheRoot = path.join(env.dataDir, "mirrors");

  return {
    log,
    redact,
    now: Date.now,
    // Stage changes show at once; spend in between every few seconds (GitHub's secondary rate limits).
    progressEveryMs: 5_000,
    github: async (installationId, repo) => createRepoGitHub((await probot.auth(installationId)) as Octokit, repo, redact),
    mintToken: async (installationId, repoName) =>
      mintInstallationToken((await probot.auth()) as Octokit, installationId, repoName),
    // Commits are attributed to the app's bot user; if GitHub cannot say who that is, a generic identity will do.
    botIdentity: (installationId) =>
      (identity ??= (async () => loadBotIdentity((await probot.auth()) as Octokit, (await probot.auth(installationId)) as Octokit))().catch((error: unknown) => {
        identity = undefined;
        log.warn({ err: error }, "bot identity unavailable; committing as patchwright[bot]");
        return { name: "patchwright[bot]", email: "patchwright[bot]@users.noreply.github.com" };
      })),
    gatherEvidence: (reads, sources, options) => gatherEvidence(reads, sources, { ...options, redact }),
    // One warm mirror per repository and installation under the data directory; a checkout per job,
    // from a spare checkout when one is ready, deleted in the background (docs/0018; `stop` cleans up).
    openWorkspace: ({ cloneUrl, sha, token, installationId }) =>
      openWorkspace({ cloneUrl, sha, token, installationId, cacheRoot, allowUnsandboxed: env.allowUnsandboxed, ...WARM_OPEN }),
    prefetch: ({ cloneUrl, sha, token, installationId }) => prefetchCommit({ cloneUrl, sha, token, installationId, cacheRoot }),
    forkWorkspace: (base, { cloneUrl, sha, token, installationId }) =>
      forkWorkspace(base, () => openWorkspace({ cloneUrl, sha, token, installationId, cacheRoot, allowUnsandboxed: env.allowUnsandboxed, ...WARM_OPEN })),
    toolchains: createToolchainProvider({ root: env.toolchains.dir, npmRegistry: env.toolchains.npmRegistry, pythonDirs: env.toolchains.pythonDirs }),
    ...(env.toolchains.pythonIndex !== undefined ? { pythonIndex: env.toolchains.pythonIndex } : {}),
    setupAllowedHosts: env.toolchains.setupAllowedHosts,
    speculate: env.speculate,
    ackIdOf: async (jobId) => (await queue.get(jobId))?.ackId ?? null,
    untracked: (workspace) => listUntracked(workspace),
    diff: (workspace, baseSha, exclude) => diffWorkspace({ workspace, baseSha, exclude }),
    commit: (workspace, tree, message, author) => commitTree({ workspace, tree, message, author }),
    pushBranch: (a) => pushBranch(a),
    pushOntoBranch: (a) => pushOntoBranch(a),
    fix: (request) => runRole(request, { model, modelName: env.model.name, redact }),
    // The ledger is written once, here: redacted like everything else that leaves the pipeline.
    stageEnded: (kind, stage, seconds) => metrics?.stageEnded(kind, stage, seconds),
    ledger: (jobId, kind, data) => {
      // run-job.ts records every error that ends a run here, with its code.
      if (kind === "error" && (data as { code?: unknown } | null)?.code === "sandbox_unavailable") metrics?.sandboxFailed();
      void queue.appendLedger(jobId, kind, redactJson(data, redact)).catch((error: unknown) => log.warn({ err: error, jobId, kind }, "could not write the ledger"));
    },
    usage: {
      modelName: env.model.name,
      cost: (usage) => costOf(env.prices, env.model.name, usage),
      tokensFor: (dollars) => tokensForCost(env.prices, env.model.name, dollars),
      record: (jobId, repo, tokens, cost) => {
        metrics?.spent(env.model.name, tokens, cost);
        void queue.recordUsage(jobId, repo, tokens, cost).catch((error: unknown) => log.warn({ err: error, jobId }, "could not record model usage"));
      },
      since: (repo, since) => queue.usageSince(repo, since),
    },
  };
}
