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

/** One red signal on a commit; several may be coalesced into one job. */
export const FailureSource = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("workflow_run"),
    runId: z.number().int(),
    runUrl: z.string(),
    workflowName: z.string(),
    workflowId: z.number().int().optional(),
    /** `.github/workflows/ci.yml`: the file to read the failed job's steps from. */
    workflowPath: z.string().optional(),
  }),
  z.object({
    /** A check run from a CI other than GitHub Actions; its output is the evidence. */
    type: z.literal("check_run"),
    checkRunId: z.number().int(),
    name: z.string(),
    app: z.string(),
    url: z.string(),
  }),
  z.object({
    /** A commit status (`status` event); only its description and link are known. */
    type: z.literal("status"),
    context: z.string(),
    description: z.string(),
    targetUrl: z.string().nullable(),
  }),
]);
export type FailureSource = z.infer<typeof FailureSource>;

export const CiTrigger = z.object({
  type: z.literal("ci"),
  headSha: z.string().regex(/^[0-9a-f]{40}$/),
  headBranch: z.string(),
  /** Set when the red commit is the head of a pull request from this repository. */
  pullRequest: z.object({ number: z.number().int(), baseBranch: z.string() }).optional(),
  sources: z.array(FailureSource).min(1),
});

export const CommentTrigger = z.object({
  type: z.literal("comment"),
  issueNumber: z.number().int(),
  isPullRequest: z.boolean(),
  commentId: z.number().int(),
  author: z.string(),
  /** Text after `/agent fix` or `/agent explain`; untrusted. */
  instructions: z.string(),
});

/** Most inline comments of one review a job carries (a review with more is told so). */
export const MAX_REVIEW_COMMENTS = 50;

/** One inline comment of a review: where it is, and what it says (untrusted). */
export const ReviewComment = z.object({
  /** The file, relative to the repository root. */
  path: z.string().min(1).max(1000),
  /** The line it is on (or its original line, when outdated); absent for a comment on the whole file. */
  line: z.number().int().positive().optional(),
  body: z.string().max(4000),
});
export type ReviewComment = z.infer<typeof ReviewComment>;

/**
 * A review iteration: someone with write access asked for changes on the
 * app's own pull request (or a person's whose branch it committed a fix to),
 * with a submitted review or `/agent fix <what to change>`. The job works on
 * `headSha` and commits onto `headRef` (only while the branch is still there).
 */
export const ReviewTrigger = z.object({
  type: z.literal("review"),
  pullNumber: z.number().int().positive(),
  /** The pull request's head branch (a branch of this repository: a `patchwright/` one, or a person's the app committed to). */
  headRef: z.string().min(1),
  /** Its head when the review was submitted: the commit the comments are about. */
  headSha: z.string().regex(/^[0-9a-f]{40}$/),
  author: z.string(),
  /** What asked: a submitted review, or an `/agent fix` comment in the thread. */
  via: z.discriminatedUnion("type", [
    z.object({ type: z.literal("review"), reviewId: z.number().int(), url: z.string().optional() }),
    z.object({ type: z.literal("comment"), commentId: z.number().int() }),
  ]),
  /** The review's own text, or the text after `/agent fix`; untrusted. */
  body: z.string(),
  comments: z.array(ReviewComment).max(MAX_REVIEW_COMMENTS),
});
export type ReviewTrigger = z.infer<typeof ReviewTrigger>;

/**
 * A security advisory against a dependency (a `dependabot_alert`), for a
 * `bump-dependency` job. Jobs are deduplicated per (repository, ecosystem,
 * package): the worker reads every open alert of the package when it runs.
 */
export const AdvisoryTrigger = z.object({
  type: z.literal("advisory"),
  /** The repository's Dependabot alert number. */
  alertNumber: z.number().int(),
  ghsaId: z.string().regex(/^GHSA(-[0-9a-z]{4}){3}$/),
  cveId: z.string().optional(),
  /** `low`, `medium`, `high` or `critical`, as GitHub rates it. */
  severity: z.string(),
  summary: z.string(),
  /** The alert's page on GitHub. */
  url: z.string(),
  /** GitHub's ecosystem name: `npm`, `pip`, `maven`, `go`, `rust`, `rubygems`… */
  ecosystem: z.string().min(1),
  package: z.string().min(1),
  /** Every vulnerable range the advisory gives for the package, in GitHub's syntax (`< 4.17.21`, `>= 1.0.0, < 1.2.6`). */
  vulnerableRanges: z.array(z.string().min(1)).min(1),
  firstPatched: z.string().optional(),
  /** The manifest or lockfile the alert is about, relative to the repository root. */
  manifestPath: z.string().min(1),
  /** `runtime` or `development`, when GitHub knows. */
  scope: z.string().optional(),
});
export type AdvisoryTrigger = z.infer<typeof AdvisoryTrigger>;

/**
 * `patchwright fix` on someone's machine: their repository on disk, no
 * GitHub. The job works on `sha` (HEAD when the command started); its
 * working tree and uncommitted changes are never read or written.
 */
export const LocalTrigger = z.object({
  type: z.literal("local"),
  /** Absolute path of the repository's working tree. */
  dir: z.string().min(1),
  /** The commit under repair. */
  sha: z.string().regex(/^[0-9a-f]{40}$/),
  /** The branch HEAD was on (`HEAD` when detached): agent instructions come from it. */
  branch: z.string().min(1),
  /** `--command`: the command that must go green (over `commands.test` of the config). */
  command: z.string().min(1).optional(),
  /** `--instructions`: guidance for the agent, like the text after `/agent fix`. */
  instructions: z.string().optional(),
  /** `--log`, distilled: the evidence the agent is shown. */
  logExcerpt: z.string().optional(),
  /** `--candidates`: parallel fixers (over `candidates` of the config). */
  candidates: z.number().int().min(1).max(5).optional(),
  /** `--patch`: the file the verified diff goes to, instead of a new branch. */
  patchFile: z.string().min(1).optional(),
});
export type LocalTrigger = z.infer<typeof LocalTrigger>;

export type CiTrigger = z.infer<typeof CiTrigger>;
export type CommentTrigger = z.infer<typeof CommentTrigger>;

export const Trigger = z.discriminatedUnion("type", [CiTrigger, CommentTrigger, ReviewTrigger, AdvisoryTrigger, LocalTrigger]);
export type Trigger = z.infer<typeof Trigger>;

/**
 * Payloads queued before advisory ranges travelled as a list carried them
 * joined with ` || ` in `vulnerableRange`: read as the list.
 */
function upgradeLegacyPayload(raw: unknown): unknown {
  const trigger = (raw as { trigger?: Record<string, unknown> } | null)?.trigger;
  if (!trigger || typeof trigger["vulnerableRange"] !== "string" || trigger["vulnerableRanges"] !== undefined) return raw;
  const { vulnerableRange, ...rest } = trigger;
  return { ...(raw as object), trigger: { ...rest, vulnerableRanges: vulnerableRange.split("||").map((r) => r.trim()).filter(Boolean) } };
}

const CurrentJobPayload = z.object({
  version: z.literal(1),
  kind: z.enum(["fix-ci", "fix-issue", "bump-dependency", "explain"]),
  installationId: z.number().int(),
  deliveryId: z.string(),
  repo: RepoRef,
  trigger: Trigger,
  /**
   * The issue or pull request whose thread the job answers in, set by the
   * handler that makes the job (a command's own thread; the pull request
   * whose head failed CI): `/agent stop` and `/agent status` there find it.
   */
  thread: z.number().int().positive().optional(),
});
export const JobPayload = z.preprocess(upgradeLegacyPayload, CurrentJobPayload);
export type JobPayload = z.infer<typeof CurrentJobPayload>;
/** What a job does: fix a red build, fix what an issue describes, upgrade a vulnerable dependency, or explain a problem (`/agent explain`: a diagnosis, no change). */
export type JobKind = JobPayload["kind"];

export type JobState = "queued" | "running" | "succeeded" | "failed" | "skipped" | "cancelled";

export interface JobRecord {
  readonly id: number;
  readonly state: JobState;
  readonly attempts: number;
  readonly payload: JobPayload;
  /** Check run or reaction id acknowledging the job on GitHub, once sent. */
  readonly ackId: number | null;
  /** When a queued job becomes due (epoch ms): its coalescing delay, or a retry's backoff. */
  readonly runAfter: number;
  readonly result: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** What processing a job came to. */
export type JobResult =
  | { state: "succeeded" | "failed" | "skipped" | "cancelled"; summary: string }
  | { state: "retry"; delayMs: number; reason: string };
