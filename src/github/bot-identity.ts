import type { Octokit } from "./types.ts";

/**
 * The app's bot user, as GitHub shows commits by it:
 * `slug[bot] <id+slug[bot]@users.noreply.github.com>`. `GET /app` needs the
 * app's JWT; the user lookup needs an installation token.
 */
export async function loadBotIdentity(appOctokit: Octokit, installationOctokit: Octokit): Promise<{ name: string; email: string }> {
  const { data } = await appOctokit.rest.apps.getAuthenticated();
  const login = `${data?.slug ?? "patchwright"}[bot]`;
  const { data: user } = await installationOctokit.rest.users.getByUsername({ username: login });
  return { name: login, email: `${user.id}+${login}@users.noreply.github.com` };
}
