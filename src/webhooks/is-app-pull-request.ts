import type { RepoReads } from "../github/read-repository.ts";

/** The prefix of every branch Patchwright pushes. */
export const APP_BRANCH_PREFIX = "patchwright/";

/** The trailer of every fix commit the app makes for a failing run (`Patchwright-Run: <run URL>`, `pipeline/stages/9-deliver.ts`). */
export const RUN_TRAILER = "Patchwright-Run:";

/**
 * Whether a pull request is the app's own: opened by a bot from a
 * `patchwright/` branch of this repository (never a fork's). The app only
 * ever opens pull requests from those branches. Cheap: the payload says it.
 * A person's pull request the app committed a fix to is iterated on too
 * (`appCommittedTo`), at the cost of a read of its commits.
 */
export function isAppPullRequest(pr: { headRef: string; sameRepository: boolean; authorIsBot: boolean }): boolean {
  return pr.sameRepository && pr.authorIsBot && pr.headRef.startsWith(APP_BRANCH_PREFIX);
}

/**
 * Whether a person's pull request may be one the app committed a fix to: from
 * a branch of this repository (never a fork's, never the default branch,
 * which the app never pushes to), opened by a person (another bot's pull
 * request, e.g. Dependabot's, is never iterated on). Payload only; whether
 * the app did commit to it is `appCommittedTo`'s read.
 */
export function mayBeCommittedTo(pr: { headRef: string; sameRepository: boolean; authorIsBot: boolean; defaultBranch: string }): boolean {
  return pr.sameRepository && !pr.authorIsBot && pr.headRef !== pr.defaultBranch;
}

/**
 * Whether one of the pull request's commits is a fix the app pushed onto its
 * branch: its message carries the `Patchwright-Run:` trailer and GitHub
 * attributes its committer to the app's bot user (`appLogin`, `slug[bot]`).
 * The trailer alone is anyone's to write: a person cannot opt in with it.
 * One paginated read (`GET …/pulls/{n}/commits`).
 */
export async function appCommittedTo(reads: Pick<RepoReads, "pullRequestCommits">, pullNumber: number, appLogin: string): Promise<boolean> {
  const commits = await reads.pullRequestCommits(pullNumber);
  return commits.some((c) => c.committer === appLogin && hasRunTrailer(c.message));
}

function hasRunTrailer(message: string): boolean {
  return message.split("\n").some((line) => line.startsWith(`${RUN_TRAILER} `));
}
