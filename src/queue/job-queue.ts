import type { FailureSource, JobPayload, JobRecord, JobState } from "./job.ts";

/**
 * How many jobs one tenant may have running at once, across every worker
 * sharing the store (running jobs with a live lease count). Unset: no cap.
 */
export interface TenantCaps {
  readonly perInstallation?: number;
  readonly perRepository?: number;
}

/**
 * The durable job queue: `sqlite-queue.ts` (embedded, the default) and
 * `redis-queue.ts` (Redis, for workers on many machines: docs/0017). One
 * contract, one shared test suite run on both (`test/queue/backends.ts`).
 *
 * A job is leased by one worker at a time; the lease is renewed by heartbeats.
 * A job whose lease expired (its worker died) is leased again by the next
 * worker that asks, with its attempt count increased, so nothing is lost: the
 * worker decides whether to run it again or report it failed.
 */
export interface JobQueue {
  /** False when this delivery id was seen before (GitHub redelivers). */
  recordDelivery(deliveryId: string): Promise<boolean>;
  /** Whether this delivery id was recorded (handled, or being handled): missed deliveries are asked again of GitHub. */
  hasDelivery(deliveryId: string): Promise<boolean>;
  /** Forgets a recorded delivery whose handling failed, so that GitHub's redelivery is handled again. */
  forgetDelivery(deliveryId: string): Promise<void>;
  /**
   * Inserts a job unless one with the same dedupe key exists, finished or not
   * (then returns the newest such job). `delayMs` holds it back, so failures
   * arriving together can be coalesced into it.
   */
  enqueue(payload: JobPayload, dedupeKey: string, options?: { delayMs?: number }): Promise<{ created: boolean; job: JobRecord }>;
  /**
   * `recordDelivery` and `enqueue` in one transaction: a webhook's job costs
   * one commit, and no crash can leave the delivery recorded without its job
   * (GitHub's redelivery would then be ignored as a duplicate). Null when the
   * delivery was recorded before.
   */
  enqueueDelivery(deliveryId: string, payload: JobPayload, dedupeKey: string, options?: { delayMs?: number }): Promise<{ created: boolean; job: JobRecord } | null>;
  /**
   * One live job per key: returns the queued or running job with this dedupe
   * key if there is one, else inserts a new job, even when finished jobs with
   * the key exist. Atomic across processes.
   */
  enqueueUnlessLive(payload: JobPayload, dedupeKey: string, options?: { delayMs?: number }): Promise<{ created: boolean; job: JobRecord }>;
  /**
   * Adds one more red signal of the same commit to a waiting CI job (several
   * workflows and checks failing together make one job with all their
   * evidence): `added`; `present` when the job has it already (a redelivered
   * or repeated signal); `started` when the job is no longer waiting (or is not a CI job).
   */
  addFailureSource(id: number, source: FailureSource): Promise<"added" | "present" | "started">;
  /** Replaces the payload of a job that has not started yet; false once it has. */
  updateQueued(id: number, payload: JobPayload): Promise<boolean>;
  /**
   * Takes the oldest ready job (queued and due, or running with an expired
   * lease) whose installation and repository are below `caps`, or null.
   */
  lease(owner: string, leaseMs: number, caps?: TenantCaps): Promise<JobRecord | null>;
  /** How many jobs wait (queued, due or not) and run: the queue's depth, for metrics and readiness. */
  depth(): Promise<{ queued: number; running: number }>;
  /**
   * Records a job that `owner` runs at once in its own process (the CLI's
   * `fix`): created running and leased, so no worker sharing the store takes it.
   */
  startNow(payload: JobPayload, dedupeKey: string, owner: string, leaseMs: number): Promise<JobRecord>;
  /** Renews a lease; false when the lease was lost (another worker took the job). */
  heartbeat(id: number, owner: string, leaseMs: number): Promise<boolean>;
  finish(id: number, owner: string, state: Extract<JobState, "succeeded" | "failed" | "skipped" | "cancelled">, result: string): Promise<void>;
  /**
   * `/agent stop`: a queued job is cancelled at once (returned in `cancelled`);
   * a running one is flagged for its worker, which aborts it (returned in `flagged`).
   */
  requestCancel(ids: readonly number[], by: string): Promise<{ cancelled: JobRecord[]; flagged: JobRecord[] }>;
  /** Who asked to stop this running job, if anyone. */
  cancelRequestedBy(id: number): Promise<string | null>;
  /** Jobs not yet finished. */
  live(): Promise<JobRecord[]>;
  /**
   * Jobs of one issue or pull request (`owner/name`, number), oldest first:
   * its commands, and the CI failures of the pull request (see `thread-of.ts`).
   */
  jobsOfThread(repoFullName: string, number: number): Promise<JobRecord[]>;
  /**
   * Puts a running job back, due in `delayMs`. `uncountRun` gives back the
   * attempt its lease took: a run the worker stopped itself (shutdown) did
   * not fail, and must not bring the job closer to being abandoned.
   */
  retryLater(id: number, owner: string, delayMs: number, reason: string, options?: { uncountRun?: boolean }): Promise<void>;
  setAck(id: number, ackId: number): Promise<void>;
  /** Running jobs and the worker holding each. */
  leases(): Promise<{ id: number; owner: string }[]>;
  /** Ends a dead worker's lease now, so the job is leased again at once. */
  expireLease(id: number, owner: string): Promise<void>;
  get(id: number): Promise<JobRecord | null>;
  list(): Promise<JobRecord[]>;
  appendLedger(jobId: number, kind: string, data: unknown): Promise<void>;
  /** Model usage of one call, for the per-repository daily budget. */
  recordUsage(jobId: number, repo: string, tokens: number, costUsd: number): Promise<void>;
  /** Tokens and dollars a repository spent since `since` (epoch ms). */
  usageSince(repo: string, since: number): Promise<{ tokens: number; costUsd: number }>;
  ledger(jobId: number): Promise<{ at: number; kind: string; data: unknown }[]>;
  /** Wakes waiting workers when a job is enqueued. */
  onEnqueued(listener: () => void): () => void;
  close(): Promise<void>;
}
