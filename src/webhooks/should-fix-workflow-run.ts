/** The fields of a `workflow_run.completed` payload that decide whether to act. */
export interface WorkflowRunFacts {
  conclusion: string | null;
  headBranch: string | null;
  defaultBranch: string;
  /** `owner/name` of the repository the run's head commit lives in. */
  headRepoFullName: string | null;
  repoFullName: string;
  event: string;
}

export type Decision = { act: true } | { act: false; reason: string };

const RED = new Set(["failure", "timed_out"]);

/** Pure filter: which red runs become a fix-ci job. */
export function shouldFixWorkflowRun(run: WorkflowRunFacts): Decision {
  if (!run.conclusion || !RED.has(run.conclusion)) return { act: false, reason: `conclusion is ${run.conclusion}` };
  if (run.headBranch?.startsWith("patchwright/")) return { act: false, reason: "run on Patchwright's own branch" };
  if (run.headRepoFullName !== run.repoFullName) return { act: false, reason: "run from a fork" };
  if (run.headBranch !== run.defaultBranch) return { act: false, reason: `branch ${run.headBranch} is not the default branch` };
  return { act: true };
}
