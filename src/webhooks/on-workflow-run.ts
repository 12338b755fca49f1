import type { Context } from "probot";
import { enqueueCiFailure } from "./enqueue-ci-failure.ts";
import { repoRefOf } from "./repo-ref.ts";
import { shouldFixCiFailure } from "./should-fix-ci-failure.ts";
import type { WebhookDeps } from "./webhook-deps.ts";

/** `workflow_run.completed`: a red GitHub Actions run. */
export function onWorkflowRunCompleted(deps: WebhookDeps) {
  return async (context: Context<"workflow_run.completed">): Promise<void> => {
    const { workflow_run: run, repository, installation } = context.payload;
    const log = context.log.child({ delivery: context.id, repo: repository.full_name, runId: run.id });
    // GitHub lists only pull requests whose head is in this repository.
    const pr = (run.pull_requests ?? []).find((p) => p?.head.sha === run.head_sha) ?? null;
    const decision = shouldFixCiFailure({
      conclusion: run.conclusion,
      headBranch: run.head_branch,
      defaultBranch: repository.default_branch,
      fromFork: run.head_repository?.full_name !== repository.full_name,
      pullRequest: pr?.number ?? null,
    });
    await enqueueCiFailure(
      deps,
      { id: context.id, installationId: installation?.id, log },
      decision,
      {
        repo: repoRefOf(repository),
        headSha: run.head_sha,
        headBranch: run.head_branch ?? repository.default_branch,
        ...(pr ? { pullRequest: { number: pr.number, baseBranch: pr.base.ref } } : {}),
        source: {
          type: "workflow_run",
          runId: run.id,
          runUrl: run.html_url,
          workflowName: run.name ?? "workflow",
          workflowId: run.workflow_id,
          workflowPath: run.path,
        },
      },
    );
  };
}
