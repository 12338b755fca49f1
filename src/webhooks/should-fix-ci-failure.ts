/** What decides whether a red signal on a commit becomes a job. */
export interface CiFailureFacts {
  /** The signal's conclusion or state (`failure`, `timed_out`, `error`, `success`…). */
  conclusion: string | null;
  headBranch: string | null;
  defaultBranch: string;
  /** The commit comes from a fork (untrusted code, a branch we may not push to). */
  fromFork: boolean;
  /** Number of a pull request from this repository whose head is the commit, if any. */
  pullRequest: number | null;
}

export type Decision = { act: true } | { act: false; reason: string };

const RED = new Set(["failure", "timed_out", "error"]);

/**
 * Pure filter: red, not on Patchwright's own branches (the loop guard), not
 * from a fork, and on the default branch or a same-repository pull request.
 */
export function shouldFixCiFailure(f: CiFailureFacts): Decision {
  if (!f.conclusion || !RED.has(f.conclusion)) return { act: false, reason: `conclusion is ${f.conclusion}` };
  if (f.headBranch?.startsWith("patchwright/")) return { act: false, reason: "failure on Patchwright's own branch" };
  if (f.fromFork) return { act: false, reason: "failure from a fork" };
  if (f.headBranch === f.defaultBranch || f.pullRequest !== null) return { act: true };
  return { act: false, reason: `branch ${f.headBranch} is neither the default branch nor a pull request` };
}
