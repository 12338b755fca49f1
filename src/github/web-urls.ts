/**
 * Links to a repository's pages, from its clone URL (`https://host/owner/name.git`,
 * as webhooks give it): the web pages live at the same address without `.git`,
 * on github.com and GitHub Enterprise alike.
 */
export function repositoryWebUrl(cloneUrl: string): string {
  return cloneUrl.replace(/\.git$/, "");
}

/** The page of one commit. */
export function commitWebUrl(cloneUrl: string, sha: string): string {
  return `${repositoryWebUrl(cloneUrl)}/commit/${sha}`;
}
