import type { Context } from "probot";
import { enqueueCiFailure } from "./enqueue-ci-failure.ts";
import { repoRefOf } from "./repo-ref.ts";
import { shouldFixCiFailure } from "./should-fix-ci-failure.ts";
import type { WebhookDeps } from "./webhook-deps.ts";

/**
 * `status` with state failure or error on the head of the default branch. A
 * commit status carries only a description and a link; the reproduction rests
 * on the repository's own commands.
 */
export function onStatus(deps: WebhookDeps) {
  return async (context: Context<"status">): Promise<void> => {
    const { repository, installation, sha, state } = context.payload;
    const log = context.log.child({ delivery: context.id, repo: repository.full_name, sha });
    // `branches` lists the branches whose head is this commit.
    const onDefault = context.payload.branches.some((b) => b.name === repository.default_branch);
    const decision = shouldFixCiFailure({
      conclusion: state,
      headBranch: onDefault ? repository.default_branch : null,
      defaultBranch: repository.default_branch,
      fromFork: false,
      pullRequest: null,
    });
    await enqueueCiFailure(
      deps,
      { id: context.id, installationId: installation?.id, log },
      decision,
      {
        repo: repoRefOf(repository),
        headSha: sha,
        headBranch: repository.default_branch,
        source: {
          type: "status",
          context: context.payload.context,
          description: context.payload.description ?? "",
          targetUrl: context.payload.target_url ?? null,
        },
      },
    );
  };
}
