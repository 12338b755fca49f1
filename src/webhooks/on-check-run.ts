import type { Context } from "probot";
import { enqueueCiFailure } from "./enqueue-ci-failure.ts";
import { repoRefOf } from "./repo-ref.ts";
import { shouldFixCiFailure } from "./should-fix-ci-failure.ts";
import type { WebhookDeps } from "./webhook-deps.ts";

/**
 * `check_run.completed` from a CI other than GitHub Actions (Actions failures
 * arrive as `workflow_run`) and other than this app.
 */
export function onCheckRunCompleted(deps: WebhookDeps) {
  return async (context: Context<"check_run.completed">): Promise<void> => {
    const { check_run: check, repository, installation } = context.payload;
    const log = context.log.child({ delivery: context.id, repo: repository.full_name, checkRunId: check.id });
    if (check.app?.slug === "github-actions" || check.app?.id === deps.appId) return;
    const pr = (check.pull_requests ?? []).find((p) => p.head.sha === check.head_sha) ?? null;
    const headBranch = check.check_suite?.head_branch ?? pr?.head.ref ?? null;
    const decision = shouldFixCiFailure({
      conclusion: check.conclusion,
      headBranch,
      defaultBranch: repository.default_branch,
      // A fork's commits show no pull request here and are not on a branch of ours.
      fromFork: headBranch === null,
      pullRequest: pr?.number ?? null,
    });
    if (headBranch === null) return; // a fork: `decision` says so too
    await enqueueCiFailure(
      deps,
      { id: context.id, installationId: installation?.id, log },
      decision,
      {
        repo: repoRefOf(repository),
        headSha: check.head_sha,
        headBranch,
        ...(pr ? { pullRequest: { number: pr.number, baseBranch: pr.base.ref } } : {}),
        source: {
          type: "check_run",
          checkRunId: check.id,
          name: check.name,
          app: check.app?.slug ?? check.app?.name ?? "unknown",
          url: check.details_url ?? check.html_url ?? "",
        },
      },
    );
  };
}
