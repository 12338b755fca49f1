/**
 * The pipeline's adapters for tests below the webhook: the real workspace
 * (git, bubblewrap, a warm mirror under `cacheRoot` when given), GitHub through
 * a Probot Octokit that nock intercepts, and a fixed bot identity. Each test
 * supplies the agent (`fix`) and overrides what it watches.
 */
import path from "node:path";
import { pino } from "pino";
import { ProbotOctokit } from "probot";
import { createRepoGitHub } from "../../src/github/repo-github.ts";
import type { Octokit } from "../../src/github/types.ts";
import type { PipelineDeps } from "../../src/pipeline/pipeline-deps.ts";
import { createRedactor } from "../../src/security/redact.ts";
import { commitTree } from "../../src/workspace/commit-all.ts";
import { diffWorkspace } from "../../src/workspace/diff-workspace.ts";
import { copyInstalledFiles } from "../../src/workspace/fork-workspace.ts";
import { listUntracked } from "../../src/workspace/list-untracked.ts";
import { openWorkspace } from "../../src/workspace/open-workspace.ts";
import { pushBranch } from "../../src/workspace/push-branch.ts";
import { pushOntoBranch } from "../../src/workspace/push-onto-branch.ts";

export const TEST_BOT = { name: "patchwright[bot]", email: "1+patchwright[bot]@users.noreply.github.com" };

export function pipelineTestDeps(options: { token: string; fix: PipelineDeps["fix"]; root?: string; evidence?: string }): PipelineDeps {
  const redact = createRedactor([options.token]);
  const octokit = new ProbotOctokit({ auth: { token: options.token }, throttle: { enabled: false }, retry: { enabled: false } }) as unknown as Octokit;
  const cache = options.root === undefined ? {} : { cacheRoot: path.join(options.root, "mirrors") };
  return {
    log: pino({ level: "silent" }),
    redact,
    now: Date.now,
    github: async (_id, repo) => createRepoGitHub(octokit, repo, redact),
    mintToken: async () => options.token,
    botIdentity: async () => TEST_BOT,
    gatherEvidence: async () => ({ text: options.evidence ?? "not ok 1 - adds", failedJobs: [], jobs: [] }),
    openWorkspace: ({ cloneUrl, sha, token, installationId }) => openWorkspace({ cloneUrl, sha, token, installationId, ...cache }),
    forkWorkspace: async (base, { sha, token, cloneUrl, installationId }) => {
      const fork = await openWorkspace({ cloneUrl, sha, token, installationId, ...cache });
      await copyInstalledFiles(base, fork.dir);
      return fork;
    },
    untracked: (workspace) => listUntracked(workspace),
    diff: (workspace, baseSha, exclude) => diffWorkspace({ workspace, baseSha, exclude }),
    commit: (workspace, tree, message, author) => commitTree({ workspace, tree, message, author }),
    pushBranch: (a) => pushBranch(a),
    pushOntoBranch: (a) => pushOntoBranch(a),
    fix: options.fix,
    ledger: () => {},
    usage: { modelName: "test-model", cost: (u) => (u.promptTokens + u.completionTokens) / 1000, tokensFor: (dollars) => dollars * 1000, record: () => {}, since: async () => ({ tokens: 0, costUsd: 0 }) },
  };
}
