/**
 * Binds the pipeline's ports for `patchwright fix`: the same stages, sandbox,
 * agent, verification and ledger as the app, with the user's repository on
 * disk in place of GitHub. The pipeline's "GitHub" is `local-github.ts`;
 * the branch push adds a branch to the user's repository (or writes the
 * verified diff to a patch file); git needs no token.
 */
import { writeFile } from "node:fs/promises";
import type { Logger } from "pino";
import type { ChatModel } from "../agent/chat-model.ts";
import { runRole } from "../agent/run-role.ts";
import { costOf, tokensForCost } from "../config/price-table.ts";
import type { RepoGitHub } from "../github/repo-github.ts";
import type { PipelineDeps } from "../pipeline/pipeline-deps.ts";
import type { JobQueue } from "../queue/job-queue.ts";
import type { LocalTrigger } from "../queue/job.ts";
import { redactJson, type Redactor } from "../security/redact.ts";
import { commitTree } from "../workspace/commit-all.ts";
import { diffWorkspace } from "../workspace/diff-workspace.ts";
import { runHostGit } from "../workspace/host-repository.ts";
import { listUntracked } from "../workspace/list-untracked.ts";
import type { CliEnv } from "./cli-env.ts";
import { addBranch, userIdentity } from "./local-repository.ts";
import { forkLocalWorkspace, openLocalWorkspace } from "./open-local-workspace.ts";

/** Where the fix landed: a new branch of the user's repository, or a patch file; with its diff. */
export interface Delivery {
  branch: string | null;
  patchFile: string | null;
  patch: string;
}

export function createCliDeps(args: {
  env: CliEnv;
  trigger: LocalTrigger;
  /** The job in the store (one job per command). */
  jobId: number;
  github: RepoGitHub;
  queue: JobQueue;
  model: ChatModel;
  log: Logger;
  redact: Redactor;
  /** Every ledger entry (already redacted), as it is written: the progress display follows them. */
  onLedger(kind: string, data: unknown): void;
  onUsage(tokens: number, costUsd: number): void;
}): PipelineDeps {
  const { env, trigger, queue, model, redact } = args;
  const location = { repoDir: trigger.dir, sha: trigger.sha, allowUnsandboxed: env.allowUnsandboxed };
  const modelName = env.model.name;
  const ledger = (jobId: number, kind: string, data: unknown) => {
    const redacted = redactJson(data, redact);
    void queue.appendLedger(jobId, kind, redacted).catch((error: unknown) => args.log.warn({ err: error, jobId, kind }, "could not write the ledger"));
    args.onLedger(kind, redacted);
  };
  return {
    log: args.log,
    redact,
    now: Date.now,
    github: async () => args.github,
    mintToken: async () => "",
    botIdentity: () => userIdentity(trigger.dir, env.home),
    // The evidence is the distilled `--log`, if one was given: there is no CI run to read.
    gatherEvidence: async () => ({ text: trigger.logExcerpt ?? "", failedJobs: [], jobs: [] }),
    openWorkspace: () => openLocalWorkspace(location),
    forkWorkspace: (base) => forkLocalWorkspace(base, location),
    untracked: (workspace) => listUntracked(workspace),
    diff: (workspace, baseSha, exclude) => diffWorkspace({ workspace, baseSha, exclude }),
    commit: (workspace, tree, message, author) => commitTree({ workspace, tree, message, author }),
    async pushBranch({ dir, branch }) {
      // The commit the verifier checked, as a patch against the commit under repair.
      const diff = await runHostGit(dir, ["diff", "--binary", "--full-index", trigger.sha, "HEAD"]);
      if (diff.exitCode !== 0) throw new Error(`git diff failed: ${diff.stderr.trim()}`);
      if (trigger.patchFile) await writeFile(trigger.patchFile, diff.stdout);
      else await addBranch(trigger.dir, dir, branch);
      const delivery: Delivery = { branch: trigger.patchFile ? null : branch, patchFile: trigger.patchFile ?? null, patch: diff.stdout };
      ledger(args.jobId, "local.delivery", delivery);
    },
    fix: (request) => runRole(request, { model, modelName, redact }),
    ledger,
    usage: {
      modelName,
      cost: (usage) => costOf(env.prices, modelName, usage),
      tokensFor: (dollars) => tokensForCost(env.prices, modelName, dollars),
      record: (id, repo, tokens, cost) => {
        void queue.recordUsage(id, repo, tokens, cost).catch((error: unknown) => args.log.warn({ err: error, jobId: id }, "could not record model usage"));
        args.onUsage(tokens, cost);
      },
      since: (repo, since) => queue.usageSince(repo, since),
    },
  };
}
