import type { RepoRef } from "../queue/job.ts";

/** The part of a webhook's `repository` a job needs. */
export function repoRefOf(repository: { name: string; owner: { login: string }; clone_url: string; default_branch: string }): RepoRef {
  return { owner: repository.owner.login, name: repository.name, cloneUrl: repository.clone_url, defaultBranch: repository.default_branch };
}
