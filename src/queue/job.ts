import { z } from "zod";

/**
 * The queue payload. Versioned: a worker refuses payloads of a version it does
 * not know instead of guessing. Everything a worker needs to start is here;
 * anything slow to fetch (logs, PR heads, config) is fetched by the worker.
 */

export const RepoRef = z.object({
  owner: z.string().min(1),
  name: z.string().min(1),
  /** `https://host/owner/name.git`, from the webhook payload. */
  cloneUrl: z.string().url(),
  defaultBranch: z.string().min(1),
});
export type RepoRef = z.infer<typeof RepoRef>;

const WorkflowRunTrigger = z.object({
  type: z.literal("workflow_run"),
  runId: z.number().int(),
  runUrl: z.string(),
  workflowName: z.string(),
  headSha: z.string().regex(/^[0-9a-f]{40}$/),
  headBranch: z.string(),
});

const CommentTrigger = z.object({
  type: z.literal("comment"),
  issueNumber: z.number().int(),
  isPullRequest: z.boolean(),
  commentId: z.number().int(),
  author: z.string(),
  /** Text after `/agent fix`; untrusted. */
  instructions: z.string(),
});

export const Trigger = z.discriminatedUnion("type", [WorkflowRunTrigger, CommentTrigger]);
export type Trigger = z.infer<typeof Trigger>;

export const JobPayload = z.object({
  version: z.literal(1),
  kind: z.enum(["fix-ci", "fix-issue"]),
  installationId: z.number().int(),
  deliveryId: z.string(),
  repo: RepoRef,
  trigger: Trigger,
});
export type JobPayload = z.infer<typeof JobPayload>;

export type JobState = "queued" | "running" | "succeeded" | "failed" | "skipped";

export interface JobRecord {
  readonly id: number;
  readonly state: JobState;
  readonly attempts: number;
  readonly payload: JobPayload;
  /** Check run or reaction id acknowledging the job on GitHub, once sent. */
  readonly ackId: number | null;
  readonly result: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}
