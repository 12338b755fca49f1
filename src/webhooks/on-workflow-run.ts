import type { Context } from "probot";
import type { JobPayload } from "../queue/job.ts";
import type { WebhookDeps } from "./webhook-deps.ts";
import { shouldFixWorkflowRun } from "./should-fix-workflow-run.ts";

/** `workflow_run.completed`: a red run on the default branch becomes a fix-ci job. */
export function onWorkflowRunCompleted(deps: WebhookDeps) {
  return async (context: Context<"workflow_run.completed">): Promise<void> => {
    const { workflow_run: run, repository, installation } = context.payload;
    const log = context.log.child({ delivery: context.id, repo: repository.full_name, runId: run.id });
    const decision = shouldFixWorkflowRun({
      conclusion: run.conclusion,
      headBranch: run.head_branch,
      defaultBranch: repository.default_branch,
      headRepoFullName: run.head_repository?.full_name ?? null,
      repoFullName: repository.full_name,
      event: run.event,
    });
    if (!decision.act) {
      log.debug({ reason: decision.reason }, "workflow run ignored");
      return;
    }
    if (!installation) return;
    if (!deps.queue.recordDelivery(context.id)) {
      log.info("duplicate delivery ignored");
      return;
    }
    const payload: JobPayload = {
      version: 1,
      kind: "fix-ci",
      installationId: installation.id,
      deliveryId: context.id,
      repo: {
        owner: repository.owner.login,
        name: repository.name,
        cloneUrl: repository.clone_url,
        defaultBranch: repository.default_branch,
      },
      trigger: {
        type: "workflow_run",
        runId: run.id,
        runUrl: run.html_url,
        workflowName: run.name ?? "workflow",
        headSha: run.head_sha,
        headBranch: run.head_branch ?? repository.default_branch,
      },
    };
    const { created, job } = deps.queue.enqueue(payload, `fix-ci:${repository.full_name}@${run.head_sha}`);
    if (!created) {
      log.info({ jobId: job.id }, "a job already exists for this commit");
      return;
    }
    log.info({ jobId: job.id }, "job queued");
    deps.tasks.run("acknowledge", () => deps.acknowledge(context.octokit, job));
  };
}
