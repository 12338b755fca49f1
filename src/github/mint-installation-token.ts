import type { Octokit } from "./types.ts";

/**
 * Mints a short-lived installation token for git over HTTPS, scoped to one
 * repository with only `contents: write`. Minted with the *app* octokit, whose
 * requests honour the configured base URL (GitHub Enterprise, or a local test
 * server); the token never leaves the host side of the workspace.
 */
export async function mintInstallationToken(
  appOctokit: Octokit,
  installationId: number,
  repositoryName: string,
): Promise<string> {
  const { data } = await appOctokit.rest.apps.createInstallationAccessToken({
    installation_id: installationId,
    repositories: [repositoryName],
    permissions: { contents: "write" },
  });
  return data.token;
}
