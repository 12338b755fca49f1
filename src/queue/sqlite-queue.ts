import { mkdirSync } from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { JobPayload, type JobRecord, type JobState } from "./job.ts";

/**
 * The durable job queue, embedded in `node:sqlite`.
 *
 * A job is leased by one worker at a time; the lease is renewed by heartbeats.
 * A job whose lease expired (its worker died) is leased again by the next
 * worker that asks, with its attempt count increased, so nothing is lost: the
 * worker decides whether to run it again or report it failed.
 */
export interface JobQueue {
  /** False when this delivery id was seen before (GitHub redelivers). */
  recordDelivery(deliveryId: string): boolean;
  /**
   * Inserts a job unless one with the same dedupe key exists. `delayMs` holds
   * it back, so failures arriving together can be coalesced into it.
   */
  enqueue(payload: JobPayload, dedupeKey: string, options?: { delayMs?: number }): { created: boolean; job: JobRecord };
  /** Replaces the payload of a job that has not started yet; false once it has. */
  updateQueued(id: number, payload: JobPayload): boolean;
  lease(owner: string, leaseMs: number): JobRecord | null;
  /** Renews a lease; false when the lease was lost (another worker took the job). */
  heartbeat(id: number, owner: string, leaseMs: number): boolean;
  finish(id: number, owner: string, state: Extract<JobState, "succeeded" | "failed" | "skipped" | "cancelled">, result: string): void;
  /**
   * `/agent stop`: a queued job is cancelled at once (returned in `cancelled`);
   * a running one is flagged for its worker, which aborts it (returned in `flagged`).
   */
  requestCancel(ids: readonly number[], by: string): { cancelled: JobRecord[]; flagged: JobRecord[] };
  /** Who asked to stop this running job, if anyone. */
  cancelRequestedBy(id: number): string | null;
  /** Jobs not yet finished. */
  live(): JobRecord[];
  retryLater(id: number, owner: string, delayMs: number, reason: string): void;
  setAck(id: number, ackId: number): void;
  /** Running jobs and the worker holding each. */
  leases(): { id: number; owner: string }[];
  /** Ends a dead worker's lease now, so the job is leased again at once. */
  expireLease(id: number, owner: string): void;
  get(id: number): JobRecord | null;
  list(): JobRecord[];
  appendLedger(jobId: number, kind: string, data: unknown): void;
  /** Model usage of one call, for the per-repository daily budget. */
  recordUsage(jobId: number, repo: string, tokens: number, costUsd: number): void;
  /** Tokens and dollars a repository spent since `since` (epoch ms). */
  usageSince(repo: string, since: number): { tokens: number; costUsd: number };
  ledger(jobId: number): { at: number; kind: string; data: unknown }[];
  /** Wakes waiting workers when a job is enqueued. */
  onEnqueued(listener: () => void): () => void;
  close(): void;
}

interface Row {
  id: number;
  state: JobState;
  attempts: number;
  payload: string;
  ack_id: number | null;
  result: string | null;
  created_at: number;
  updated_at: number;
}

const SCHEMA = `
  PRAGMA journal_mode = WAL;
  PRAGMA busy_timeout = 5000;
  CREATE TABLE IF NOT EXISTS deliveries (id TEXT PRIMARY KEY, received_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dedupe_key TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    payload TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_expires_at INTEGER,
    run_after INTEGER NOT NULL DEFAULT 0,
    cancel_by TEXT,
    ack_id INTEGER,
    result TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS jobs_ready ON jobs (state, run_after);
  CREATE TABLE IF NOT EXISTS ledger (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id INTEGER NOT NULL,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS ledger_job ON ledger (job_id, id);
  CREATE TABLE IF NOT EXISTS usage (
    job_id INTEGER NOT NULL,
    repo TEXT NOT NULL,
    at INTEGER NOT NULL,
    tokens INTEGER NOT NULL,
    cost_usd REAL NOT NULL
  );
  CREATE INDEX IF NOT EXISTS usage_repo ON usage (repo, at);
`;

export function openSqliteQueue(options: { dataDir: string; now?: () => number }): JobQueue {
  mkdirSync(options.dataDir, { recursive: true });
  const db = new DatabaseSync(path.join(options.dataDir, "patchwright.db"));
  db.exec(SCHEMA);
  const now = options.now ?? Date.now;
  const listeners = new Set<() => void>();

  const toRecord = (row: Row): JobRecord => ({
    id: row.id,
    state: row.state,
    attempts: row.attempts,
    payload: JobPayload.parse(JSON.parse(row.payload)),
    ackId: row.ack_id,
    result: row.result,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });

  const insertDelivery = db.prepare("INSERT OR IGNORE INTO deliveries (id, received_at) VALUES (?, ?)");
  const insertJob = db.prepare(
    "INSERT OR IGNORE INTO jobs (dedupe_key, state, payload, run_after, created_at, updated_at) VALUES (?, 'queued', ?, ?, ?, ?)",
  );
  const byKey = db.prepare("SELECT * FROM jobs WHERE dedupe_key = ?");
  const byId = db.prepare("SELECT * FROM jobs WHERE id = ?");
  const nextReady = db.prepare(
    `SELECT * FROM jobs
     WHERE (state = 'queued' AND run_after <= ?) OR (state = 'running' AND lease_expires_at < ?)
     ORDER BY id LIMIT 1`,
  );
  const takeLease = db.prepare(
    `UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = ?, lease_expires_at = ?, updated_at = ?
     WHERE id = ?`,
  );
  const renew = db.prepare(
    "UPDATE jobs SET lease_expires_at = ?, updated_at = ? WHERE id = ? AND lease_owner = ? AND state = 'running'",
  );
  const finishJob = db.prepare(
    `UPDATE jobs SET state = ?, result = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
     WHERE id = ? AND lease_owner = ?`,
  );
  const requeue = db.prepare(
    `UPDATE jobs SET state = 'queued', result = ?, run_after = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
     WHERE id = ? AND lease_owner = ?`,
  );
  const updatePayload = db.prepare("UPDATE jobs SET payload = ?, updated_at = ? WHERE id = ? AND state = 'queued'");
  const updateAck = db.prepare("UPDATE jobs SET ack_id = ? WHERE id = ?");
  const insertLedger = db.prepare("INSERT INTO ledger (job_id, at, kind, data) VALUES (?, ?, ?, ?)");
  const selectLedger = db.prepare("SELECT at, kind, data FROM ledger WHERE job_id = ? ORDER BY id");

  return {
    recordDelivery(deliveryId) {
      return Number(insertDelivery.run(deliveryId, now()).changes) === 1;
    },
    enqueue(payload, dedupeKey, options = {}) {
      const t = now();
      const json = JSON.stringify(JobPayload.parse(payload));
      const created = Number(insertJob.run(dedupeKey, json, t + (options.delayMs ?? 0), t, t).changes) === 1;
      const job = toRecord(byKey.get(dedupeKey) as unknown as Row);
      if (created) for (const listener of listeners) listener();
      return { created, job };
    },
    lease(owner, leaseMs) {
      // BEGIN IMMEDIATE takes SQLite's write lock: safe across processes sharing the file.
      db.exec("BEGIN IMMEDIATE");
      try {
        const t = now();
        const row = nextReady.get(t, t) as unknown as Row | undefined;
        if (row) takeLease.run(owner, t + leaseMs, t, row.id);
        db.exec("COMMIT");
        return row ? toRecord(byId.get(row.id) as unknown as Row) : null;
      } catch (error) {
        db.exec("ROLLBACK");
        throw error;
      }
    },
    updateQueued(id, payload) {
      const json = JSON.stringify(JobPayload.parse(payload));
      return Number(updatePayload.run(json, now(), id).changes) === 1;
    },
    heartbeat(id, owner, leaseMs) {
      const t = now();
      return Number(renew.run(t + leaseMs, t, id, owner).changes) === 1;
    },
    finish(id, owner, state, result) {
      finishJob.run(state, result, now(), id, owner);
    },
    retryLater(id, owner, delayMs, reason) {
      const t = now();
      requeue.run(reason, t + delayMs, t, id, owner);
    },
    setAck(id, ackId) {
      updateAck.run(ackId, id);
    },
    requestCancel(ids, by) {
      const cancelled: JobRecord[] = [];
      const flagged: JobRecord[] = [];
      const t = now();
      for (const id of ids) {
        if (Number(db.prepare("UPDATE jobs SET state = 'cancelled', result = ?, updated_at = ? WHERE id = ? AND state = 'queued'").run(`stopped by @${by}`, t, id).changes) === 1) {
          cancelled.push(toRecord(byId.get(id) as unknown as Row));
        } else if (Number(db.prepare("UPDATE jobs SET cancel_by = ? WHERE id = ? AND state = 'running'").run(by, id).changes) === 1) {
          flagged.push(toRecord(byId.get(id) as unknown as Row));
        }
      }
      return { cancelled, flagged };
    },
    cancelRequestedBy(id) {
      const row = db.prepare("SELECT cancel_by FROM jobs WHERE id = ?").get(id) as { cancel_by: string | null } | undefined;
      return row?.cancel_by ?? null;
    },
    live() {
      return (db.prepare("SELECT * FROM jobs WHERE state IN ('queued', 'running') ORDER BY id").all() as unknown as Row[]).map(toRecord);
    },
    leases() {
      return db.prepare("SELECT id, lease_owner AS owner FROM jobs WHERE state = 'running'").all() as unknown as {
        id: number;
        owner: string;
      }[];
    },
    expireLease(id, owner) {
      db.prepare("UPDATE jobs SET lease_expires_at = 0 WHERE id = ? AND lease_owner = ? AND state = 'running'").run(id, owner);
    },
    get(id) {
      const row = byId.get(id) as unknown as Row | undefined;
      return row ? toRecord(row) : null;
    },
    list() {
      return (db.prepare("SELECT * FROM jobs ORDER BY id").all() as unknown as Row[]).map(toRecord);
    },
    appendLedger(jobId, kind, data) {
      insertLedger.run(jobId, now(), kind, JSON.stringify(data));
    },
    recordUsage(jobId, repo, tokens, costUsd) {
      db.prepare("INSERT INTO usage (job_id, repo, at, tokens, cost_usd) VALUES (?, ?, ?, ?, ?)").run(jobId, repo, now(), tokens, costUsd);
    },
    usageSince(repo, since) {
      const row = db.prepare("SELECT COALESCE(SUM(tokens), 0) AS tokens, COALESCE(SUM(cost_usd), 0) AS cost FROM usage WHERE repo = ? AND at >= ?").get(repo, since) as {
        tokens: number;
        cost: number;
      };
      return { tokens: Number(row.tokens), costUsd: Number(row.cost) };
    },
    ledger(jobId) {
      return (selectLedger.all(jobId) as unknown as { at: number; kind: string; data: string }[]).map((r) => ({
        at: r.at,
        kind: r.kind,
        data: JSON.parse(r.data) as unknown,
      }));
    },
    onEnqueued(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      db.close();
    },
  };
}
