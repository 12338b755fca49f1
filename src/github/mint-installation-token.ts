import type { Octokit } from "./types.ts";

/** An installation token and when GitHub says it expires (epoch ms; tokens live an hour). */
export interface MintedToken {
  token: string;
  expiresAt: number;
}

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
): Promise<MintedToken> {
  const { data } = await appOctokit.rest.apps.createInstallationAccessToken({
    installation_id: installationId,
    repositories: [repositoryName],
    permissions: { contents: "write" },
  });
  return { token: data.token, expiresAt: Date.parse(data.expires_at) };
}
