import { mkdirSync } from "node:fs";
import path from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { JobQueue } from "./job-queue.ts";
import { FailureSource, JobPayload, type JobRecord, type JobState } from "./job.ts";
import { FAILURE_SOURCE_IDENTITY_SQL, failureSourceIdentity } from "./failure-source-identity.ts";
import { LIVE } from "./jobs-table.ts";
import { createGroupCommit, createWalSync } from "./group-commit.ts";
import { prepareQueueSchema } from "./queue-schema.ts";
import { threadKey, threadOf } from "./thread-of.ts";

// The interface moved to job-queue.ts; importers of this module keep working.
export type { JobQueue } from "./job-queue.ts";

interface Row {
  id: number;
  state: JobState;
  attempts: number;
  payload: string;
  ack_id: number | null;
  run_after: number;
  result: string | null;
  created_at: number;
  updated_at: number;
}

/** A job's tenants, read from its payload: its installation, and its repository (GitHub names ignore case). */
const INSTALLATION_SQL = (payload: string) => `json_extract(${payload}, '$.installationId')`;
const REPOSITORY_SQL = (payload: string) => `lower(json_extract(${payload}, '$.repo.owner') || '/' || json_extract(${payload}, '$.repo.name'))`;

/** Opens (creating or migrating it) the queue's database, `patchwright.db` in `dataDir`. */
export function openSqliteQueue(options: { dataDir: string; now?: () => number }): JobQueue {
  mkdirSync(options.dataDir, { recursive: true });
  const file = path.join(options.dataDir, "patchwright.db");
  const db = new DatabaseSync(file);
  prepareQueueSchema(db);
  // Every write goes through `write`: committed with others of the same turn, durable before it resolves.
  const wal = createWalSync(`${file}-wal`);
  const { write, flush } = createGroupCommit(db, wal.sync);
  /** Reads see the writes asked for before them (group-commit.ts). */
  const read = <T>(query: () => T): T => {
    flush();
    return query();
  };
  const now = options.now ?? Date.now;
  const listeners = new Set<() => void>();

  const toRecord = (row: Row): JobRecord => ({
    id: row.id,
    state: row.state,
    attempts: row.attempts,
    payload: JobPayload.parse(JSON.parse(row.payload)),
    ackId: row.ack_id,
    runAfter: row.run_after,
    result: row.result,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });

  const insertDelivery = db.prepare("INSERT OR IGNORE INTO deliveries (id, received_at) VALUES (?, ?)");
  const forget = db.prepare("DELETE FROM deliveries WHERE id = ?");
  const hasDeliveryRow = db.prepare("SELECT 1 FROM deliveries WHERE id = ?");
  const insertJob = db.prepare(
    "INSERT INTO jobs (dedupe_key, thread, state, payload, run_after, created_at, updated_at) VALUES (?, ?, 'queued', ?, ?, ?, ?)",
  );
  const newestByKey = db.prepare("SELECT * FROM jobs WHERE dedupe_key = ? ORDER BY id DESC LIMIT 1");
  const liveByKey = db.prepare(`SELECT * FROM jobs WHERE dedupe_key = ? AND ${LIVE}`);
  const byThread = db.prepare("SELECT * FROM jobs WHERE thread = ? ORDER BY id");
  const byId = db.prepare("SELECT * FROM jobs WHERE id = ?");
  // ?1 now, ?2 the per-installation cap, ?3 the per-repository cap (-1: none). A tenant's
  // running jobs are those with a live lease, whichever process holds them.
  const nextReady = db.prepare(
    `WITH busy AS (
       SELECT ${INSTALLATION_SQL("payload")} AS installation, ${REPOSITORY_SQL("payload")} AS repository
       FROM jobs WHERE state = 'running' AND lease_expires_at >= ?1
     )
     SELECT * FROM jobs AS j
     WHERE ((j.state = 'queued' AND j.run_after <= ?1) OR (j.state = 'running' AND j.lease_expires_at < ?1))
       AND (?2 < 0 OR (SELECT COUNT(*) FROM busy WHERE busy.installation = ${INSTALLATION_SQL("j.payload")}) < ?2)
       AND (?3 < 0 OR (SELECT COUNT(*) FROM busy WHERE busy.repository = ${REPOSITORY_SQL("j.payload")}) < ?3)
     ORDER BY j.id LIMIT 1`,
  );
  const countLive = db.prepare(
    `SELECT COALESCE(SUM(state = 'queued'), 0) AS queued, COALESCE(SUM(state = 'running'), 0) AS running FROM jobs WHERE ${LIVE}`,
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
    `UPDATE jobs SET state = 'queued', result = ?, run_after = ?, attempts = MAX(0, attempts - ?), lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
     WHERE id = ? AND lease_owner = ?`,
  );
  // The thread is derived from the payload: it follows a replaced payload.
  const updatePayload = db.prepare("UPDATE jobs SET payload = ?, thread = ?, updated_at = ? WHERE id = ? AND state = 'queued'");
  const sourceIdentities = db.prepare(`SELECT ${FAILURE_SOURCE_IDENTITY_SQL} AS identity FROM jobs, json_each(jobs.payload, '$.trigger.sources') AS s WHERE jobs.id = ?`);
  const appendSource = db.prepare(
    "UPDATE jobs SET payload = json_insert(payload, '$.trigger.sources[#]', json(?)), updated_at = ? WHERE id = ? AND state = 'queued' AND json_type(payload, '$.trigger.sources') = 'array'",
  );
  const updateAck = db.prepare("UPDATE jobs SET ack_id = ? WHERE id = ?");
  const insertLedger = db.prepare("INSERT INTO ledger (job_id, at, kind, data) VALUES (?, ?, ?, ?)");
  const selectLedger = db.prepare("SELECT at, kind, data FROM ledger WHERE job_id = ? ORDER BY id");

  /**
   * Inserts a job unless `existing` finds one with the key, in one transaction
   * (no other process slips in between); with `deliveryId`, records the
   * delivery in it too, and inserts nothing (null) when it was recorded before.
   */
  const enqueueUnless = async (existing: StatementSync, payload: JobPayload, dedupeKey: string, delayMs: number, deliveryId?: string) => {
    const parsed = JobPayload.parse(payload);
    const result = await write(() => {
      if (deliveryId !== undefined && Number(insertDelivery.run(deliveryId, now()).changes) === 0) return null;
      const found = existing.get(dedupeKey) as unknown as Row | undefined;
      if (found) return { created: false, job: toRecord(found) };
      const t = now();
      const { lastInsertRowid } = insertJob.run(dedupeKey, threadOf(parsed), JSON.stringify(parsed), t + delayMs, t, t);
      // The row as inserted (the table's defaults), not read back and parsed again.
      const job: JobRecord = { id: Number(lastInsertRowid), state: "queued", attempts: 0, payload: parsed, ackId: null, runAfter: t + delayMs, result: null, createdAt: t, updatedAt: t };
      return { created: true, job };
    });
    if (result?.created) for (const listener of listeners) listener();
    return result;
  };
  /** `enqueueUnless` without a delivery to record: never null. */
  const enqueueOnce = async (existing: StatementSync, payload: JobPayload, dedupeKey: string, delayMs: number) => {
    const result = await enqueueUnless(existing, payload, dedupeKey, delayMs);
    if (result === null) throw new Error("unreachable: no delivery was recorded");
    return result;
  };

  return {
    async recordDelivery(deliveryId) {
      return write(() => Number(insertDelivery.run(deliveryId, now()).changes) === 1);
    },
    async hasDelivery(deliveryId) {
      return read(() => hasDeliveryRow.get(deliveryId) !== undefined);
    },
    async forgetDelivery(deliveryId) {
      await write(() => forget.run(deliveryId));
    },
    async enqueue(payload, dedupeKey, options = {}) {
      return enqueueOnce(newestByKey, payload, dedupeKey, options.delayMs ?? 0);
    },
    async enqueueDelivery(deliveryId, payload, dedupeKey, options = {}) {
      return enqueueUnless(newestByKey, payload, dedupeKey, options.delayMs ?? 0, deliveryId);
    },
    async enqueueUnlessLive(payload, dedupeKey, options = {}) {
      return enqueueOnce(liveByKey, payload, dedupeKey, options.delayMs ?? 0);
    },
    async startNow(payload, dedupeKey, owner, leaseMs) {
      const parsed = JobPayload.parse(payload);
      return write(() => {
        const t = now();
        const { lastInsertRowid } = insertJob.run(dedupeKey, threadOf(parsed), JSON.stringify(parsed), t, t, t);
        takeLease.run(owner, t + leaseMs, t, Number(lastInsertRowid));
        return toRecord(byId.get(lastInsertRowid) as unknown as Row);
      });
    },
    async lease(owner, leaseMs, caps = {}) {
      // Within the write lock: two workers, even in two processes, never take the same job
      // nor both take a tenant's last free slot.
      const row = await write(() => {
        const t = now();
        const ready = nextReady.get(t, caps.perInstallation ?? -1, caps.perRepository ?? -1) as unknown as Row | undefined;
        if (ready) takeLease.run(owner, t + leaseMs, t, ready.id);
        return ready;
      });
      return row ? toRecord(read(() => byId.get(row.id)) as unknown as Row) : null;
    },
    async depth() {
      const row = read(() => countLive.get() as { queued: number; running: number });
      return { queued: Number(row.queued), running: Number(row.running) };
    },
    async updateQueued(id, payload) {
      const parsed = JobPayload.parse(payload);
      return write(() => Number(updatePayload.run(JSON.stringify(parsed), threadOf(parsed), now(), id).changes) === 1);
    },
    async addFailureSource(id, source) {
      const parsed = FailureSource.parse(source);
      return write(() => {
        const present = (sourceIdentities.all(id) as { identity: string }[]).some((row) => row.identity === failureSourceIdentity(parsed));
        if (present) return "present";
        return Number(appendSource.run(JSON.stringify(parsed), now(), id).changes) === 1 ? "added" : "started";
      });
    },
    async heartbeat(id, owner, leaseMs) {
      return write(() => {
        const t = now();
        return Number(renew.run(t + leaseMs, t, id, owner).changes) === 1;
      });
    },
    async finish(id, owner, state, result) {
      await write(() => finishJob.run(state, result, now(), id, owner));
    },
    async retryLater(id, owner, delayMs, reason, options = {}) {
      await write(() => {
        const t = now();
        requeue.run(reason, t + delayMs, options.uncountRun === true ? 1 : 0, t, id, owner);
      });
    },
    async setAck(id, ackId) {
      await write(() => updateAck.run(ackId, id));
    },
    async requestCancel(ids, by) {
      return write(() => {
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
      });
    },
    async cancelRequestedBy(id) {
      const row = read(() => db.prepare("SELECT cancel_by FROM jobs WHERE id = ?").get(id) as { cancel_by: string | null } | undefined);
      return row?.cancel_by ?? null;
    },
    async live() {
      return read(() => db.prepare(`SELECT * FROM jobs WHERE ${LIVE} ORDER BY id`).all() as unknown as Row[]).map(toRecord);
    },
    async jobsOfThread(repoFullName, number) {
      return read(() => byThread.all(threadKey(repoFullName, number)) as unknown as Row[]).map(toRecord);
    },
    async leases() {
      return read(() => db.prepare("SELECT id, lease_owner AS owner FROM jobs WHERE state = 'running'").all()) as unknown as {
        id: number;
        owner: string;
      }[];
    },
    async expireLease(id, owner) {
      await write(() => db.prepare("UPDATE jobs SET lease_expires_at = 0 WHERE id = ? AND lease_owner = ? AND state = 'running'").run(id, owner));
    },
    async get(id) {
      const row = read(() => byId.get(id) as unknown as Row | undefined);
      return row ? toRecord(row) : null;
    },
    async list() {
      return read(() => db.prepare("SELECT * FROM jobs ORDER BY id").all() as unknown as Row[]).map(toRecord);
    },
    async appendLedger(jobId, kind, data) {
      await write(() => insertLedger.run(jobId, now(), kind, JSON.stringify(data)));
    },
    async recordUsage(jobId, repo, tokens, costUsd) {
      await write(() => db.prepare("INSERT INTO usage (job_id, repo, at, tokens, cost_usd) VALUES (?, ?, ?, ?, ?)").run(jobId, repo, now(), tokens, costUsd));
    },
    async usageSince(repo, since) {
      const row = read(() => db.prepare("SELECT COALESCE(SUM(tokens), 0) AS tokens, COALESCE(SUM(cost_usd), 0) AS cost FROM usage WHERE repo = ? AND at >= ?").get(repo, since)) as {
        tokens: number;
        cost: number;
      };
      return { tokens: Number(row.tokens), costUsd: Number(row.cost) };
    },
    async ledger(jobId) {
      return (read(() => selectLedger.all(jobId)) as unknown as { at: number; kind: string; data: string }[]).map((r) => ({
        at: r.at,
        kind: r.kind,
        data: JSON.parse(r.data) as unknown,
      }));
    },
    onEnqueued(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      if (!db.isOpen) return;
      // The writes already asked for are committed and synced first.
      await write(() => undefined);
      await wal.close();
      db.close();
    },
  };
}
