import type { Octokit } from "./types.ts";

/**
 * The app's bot user's login, `slug[bot]` (`GET /app`, with the app's JWT):
 * who GitHub shows as the committer of the app's commits.
 */
export async function loadAppLogin(appOctokit: Octokit): Promise<string> {
  const { data } = await appOctokit.rest.apps.getAuthenticated();
  return `${data?.slug ?? "patchwright"}[bot]`;
}

/**
 * The app's bot user, as GitHub shows commits by it:
 * `slug[bot] <id+slug[bot]@users.noreply.github.com>`. `GET /app` needs the
 * app's JWT; the user lookup needs an installation token.
 */
export async function loadBotIdentity(appOctokit: Octokit, installationOctokit: Octokit): Promise<{ name: string; email: string }> {
  const login = await loadAppLogin(appOctokit);
  const { data: user } = await installationOctokit.rest.users.getByUsername({ username: login });
  return { name: login, email: `${user.id}+${login}@users.noreply.github.com` };
}
