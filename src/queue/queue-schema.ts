import type { DatabaseSync } from "node:sqlite";
import { JOBS_COLUMNS, LIVE } from "./jobs-table.ts";
import { migrateQueueSchema } from "./migrate-queue-schema.ts";
import { immediateTransaction } from "./transaction.ts";

const TABLES = `
  CREATE TABLE IF NOT EXISTS deliveries (id TEXT PRIMARY KEY, received_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS jobs (${JOBS_COLUMNS});
  CREATE TABLE IF NOT EXISTS ledger (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id INTEGER NOT NULL,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS usage (
    job_id INTEGER NOT NULL,
    repo TEXT NOT NULL,
    at INTEGER NOT NULL,
    tokens INTEGER NOT NULL,
    cost_usd REAL NOT NULL
  );
`;

// Created after the migration: an old `jobs` table has no `thread` column until then.
//
// One dedupe key, two policies. `enqueue` dedupes against every job that ever
// had the key (a commit's CI failure, a comment: once handled, never again);
// `enqueueUnlessLive` only against unfinished ones (a package's upgrade: a new
// job once the last one ended). So `dedupe_key` itself is not UNIQUE: the
// partial unique index `jobs_live_key` is what holds, in the database, "at most
// one live job per key" for both. We chose it over a second `live_key` column
// because one column cannot disagree with itself: there is nothing to clear
// when a job finishes (leaving the WHERE clause is enough) and no second key
// to keep in step in every UPDATE that ends a job.
const INDEXES = `
  CREATE INDEX IF NOT EXISTS jobs_ready ON jobs (state, run_after);
  CREATE INDEX IF NOT EXISTS jobs_key ON jobs (dedupe_key);
  CREATE UNIQUE INDEX IF NOT EXISTS jobs_live_key ON jobs (dedupe_key) WHERE ${LIVE};
  CREATE INDEX IF NOT EXISTS jobs_thread ON jobs (thread);
  CREATE INDEX IF NOT EXISTS ledger_job ON ledger (job_id, id);
  CREATE INDEX IF NOT EXISTS usage_repo ON usage (repo, at);
`;

/**
 * Creates the tables, or brings those of an older version up to date, in one
 * transaction: two processes opening the same file migrate it once, and a
 * crash mid-way leaves the old schema intact.
 */
export function prepareQueueSchema(db: DatabaseSync): void {
  // journal_mode cannot change inside a transaction. synchronous=NORMAL: a commit does not wait
  // for the disk; the queue's writes are made durable by group-commit.ts (an fdatasync of the WAL
  // before any write resolves), off the event loop. Anything else writing here must do the same.
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;");
  immediateTransaction(db, () => {
    db.exec(TABLES);
    migrateQueueSchema(db);
    db.exec(INDEXES);
  });
}
