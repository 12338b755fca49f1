/** The prefix of every branch Patchwright pushes. */
export const APP_BRANCH_PREFIX = "patchwright/";

/**
 * Whether a pull request is the app's own: opened by a bot from a
 * `patchwright/` branch of this repository (never a fork's). Only such a pull
 * request is iterated on by reviews and `/agent fix`; the app only ever opens
 * pull requests from those branches, and a person's branch it committed a
 * fix to stays theirs.
 */
export function isAppPullRequest(pr: { headRef: string; sameRepository: boolean; authorIsBot: boolean }): boolean {
  return pr.sameRepository && pr.authorIsBot && pr.headRef.startsWith(APP_BRANCH_PREFIX);
}
