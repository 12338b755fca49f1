import type { Octokit } from "./types.ts";

/** Roles that may ask Patchwright for work: they could push the change themselves. */
const ALLOWED_ROLES = new Set(["admin", "maintain", "write"]);

/**
 * Whether `username` has write access (write, maintain or admin) to the
 * repository. A comment's `author_association` says nothing about that, so
 * GitHub is asked. Not a collaborator at all (404) is a no; any other failure
 * is thrown, for the caller to treat as "could not tell".
 */
export async function hasWriteAccess(octokit: Octokit, args: { owner: string; repo: string; username: string }): Promise<boolean> {
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel(args);
    // `role_name` is the role itself; `permission` the legacy level (maintain reads as write, a custom role as its base).
    return ALLOWED_ROLES.has(data.role_name) || ALLOWED_ROLES.has(data.permission);
  } catch (error) {
    if ((error as { status?: number }).status === 404) return false;
    throw error;
  }
}
