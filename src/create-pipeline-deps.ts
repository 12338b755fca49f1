import type { Logger } from "pino";
import type { Probot } from "probot";
import { buildPrompt } from "./agent/build-prompt.ts";
import type { ChatModel } from "./agent/chat-model.ts";
import { runAgent } from "./agent/run-agent.ts";
import type { TraceEntry } from "./agent/trace.ts";
import type { AppEnv } from "./config/env.ts";
import { gatherEvidence } from "./pipeline/1-gather-evidence.ts";
import { mintInstallationToken } from "./github/mint-installation-token.ts";
import type { Octokit } from "./github/types.ts";
import type { FixOutcome, FixRequest, PipelineDeps } from "./pipeline/pipeline-deps.ts";
import type { JobQueue } from "./queue/sqlite-queue.ts";
import type { Redactor } from "./security/redact.ts";
import { commitAll } from "./workspace/commit-all.ts";
import { diffWorkspace } from "./workspace/diff-workspace.ts";
import { openWorkspace } from "./workspace/open-workspace.ts";
import { pushBranch } from "./workspace/push-branch.ts";

/** Binds the pipeline's ports to the real adapters: Probot's Octokit, git, bubblewrap, the model. */
export function createPipelineDeps(args: {
  env: AppEnv;
  probot: Probot;
  queue: JobQueue;
  model: ChatModel;
  log: Logger;
  redact: Redactor;
}): PipelineDeps {
  const { env, probot, queue, model, log, redact } = args;
  let identity: Promise<{ name: string; email: string }> | undefined;

  return {
    log,
    redact,
    now: Date.now,
    octokitFor: (installationId) => probot.auth(installationId) as Promise<Octokit>,
    mintToken: async (installationId, repoName) =>
      mintInstallationToken((await probot.auth()) as Octokit, installationId, repoName),
    botIdentity: (octokit) => (identity ??= loadBotIdentity(probot, octokit).catch((error: unknown) => {
      identity = undefined;
      throw error;
    })),
    gatherEvidence: (octokit, payload) => gatherEvidence(octokit, payload),
    openWorkspace: ({ cloneUrl, sha, token }) =>
      openWorkspace({ cloneUrl, sha, token, allowUnsandboxed: env.allowUnsandboxed }),
    diff: (dir, baseSha) => diffWorkspace({ dir, baseSha }),
    commitAll: (dir, message, author) => commitAll({ dir, message, author }),
    pushBranch: (a) => pushBranch(a),
    fix: (request) => fixWithAgent(request, { model, modelName: env.model.name, redact }),
    ledger: (jobId, kind, data) => queue.appendLedger(jobId, kind, data),
  };
}

/** The app's bot user, as GitHub shows commits by it: `slug[bot] <id+slug[bot]@users.noreply.github.com>`. */
async function loadBotIdentity(probot: Probot, octokit: Octokit): Promise<{ name: string; email: string }> {
  // GET /app needs the app's JWT; the user lookup needs an installation token.
  const app = (await probot.auth()) as Octokit;
  const { data } = await app.rest.apps.getAuthenticated();
  const login = `${data?.slug ?? "patchwright"}[bot]`;
  const { data: user } = await octokit.rest.users.getByUsername({ username: login });
  return { name: login, email: `${user.id}+${login}@users.noreply.github.com` };
}

async function fixWithAgent(
  request: FixRequest,
  deps: { model: ChatModel; modelName: string; redact: Redactor },
): Promise<FixOutcome> {
  const prompt = buildPrompt({
    repository: request.repoFullName,
    mode: request.issueMode ? "issue" : "ci",
    testCommand: request.failingCommand,
    commandOutput: request.failingResult.output,
    evidence: request.evidence,
    instructions: request.config.instructions,
    protectedPaths: request.config.protected_paths,
    ...(request.request
      ? {
          request: {
            comment: request.request.instructions,
            ...(request.request.issue ? { issueTitle: request.request.issue.title, issueBody: request.request.issue.body } : {}),
          },
        }
      : {}),
  });
  const result = await runAgent({
    model: deps.model,
    modelName: deps.modelName,
    tools: {
      root: request.workspace.dir,
      sandbox: request.workspace.sandbox,
      protectedPaths: request.config.protected_paths,
      redact: deps.redact,
    },
    system: prompt.system,
    user: prompt.user,
    limits: {
      maxTurns: request.config.budget.turns,
      maxTokens: request.config.budget.tokens,
      deadlineMs: request.config.budget.minutes * 60_000,
    },
    onEvent: (event) => request.onEvent(`agent.${event.kind}`, event),
    signal: request.signal,
  });
  return {
    status: result.status,
    summary: result.summary,
    turns: result.turns,
    usage: { promptTokens: result.usage.promptTokens, completionTokens: result.usage.completionTokens },
    trace: result.trace.flatMap(describeTraceEntry),
  };
}

function describeTraceEntry(entry: TraceEntry): string[] {
  switch (entry.kind) {
    case "tool_call":
      return [`${entry.ok ? "✓" : "✗"} \`${entry.name}\` ${entry.args.slice(0, 200)} → ${entry.result.slice(0, 200)}`];
    case "model_call":
      return entry.text ? [`💭 ${entry.text.slice(0, 300)}`] : [];
    case "nudge":
      return [`(nudged: ${entry.message.slice(0, 100)})`];
    case "model_error":
      return [`model error: ${entry.message.slice(0, 200)}`];
  }
}
