import type { DatabaseSync } from "node:sqlite";
import { JOBS_COLUMNS, LIVE } from "./jobs-table.ts";
import { LEGACY_THREAD_SQL } from "./thread-of.ts";

/**
 * Brings a `jobs` table written by an older version to the current shape.
 * Each step looks at the table itself (not a version number), so a database
 * of any earlier version, or one already migrated, ends up the same. Runs
 * inside the caller's transaction, before the indexes are created.
 */
export function migrateQueueSchema(db: DatabaseSync): void {
  const rebuilt = dropKeyUniqueness(db);
  const added = addThreadColumn(db);
  if (rebuilt || added) backfillThreads(db);
}

function columnsOf(db: DatabaseSync, table: string): string[] {
  return (db.prepare("SELECT name FROM pragma_table_info(?)").all(table) as { name: string }[]).map((c) => c.name);
}

/**
 * Before "one live job per key" (`enqueueUnlessLive`), `dedupe_key` was a
 * UNIQUE column constraint, which SQLite cannot drop: the table is rebuilt
 * the documented way (new table, copy, drop, rename). Ids are kept, and the
 * AUTOINCREMENT sequence too, so ledger and usage rows still point at their
 * jobs and no id is ever handed out twice. Columns the old table lacked
 * (`cancel_by` before `/agent stop`) get their defaults.
 */
function dropKeyUniqueness(db: DatabaseSync): boolean {
  if (!db.prepare("SELECT 1 FROM pragma_index_list('jobs') WHERE origin = 'u'").get()) return false;
  const sequence = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'jobs'").get() as { seq: number } | undefined;
  db.exec(`CREATE TABLE jobs_rebuilt (${JOBS_COLUMNS})`);
  const current = new Set(columnsOf(db, "jobs_rebuilt"));
  // Names read from the database's own catalogue, and only those this version knows.
  const kept = columnsOf(db, "jobs").filter((c) => current.has(c)).join(", ");
  db.exec(`INSERT INTO jobs_rebuilt (${kept}) SELECT ${kept} FROM jobs ORDER BY id`);
  db.exec("DROP TABLE jobs");
  db.exec("ALTER TABLE jobs_rebuilt RENAME TO jobs");
  // The copy sets the sequence to the largest id left; a deleted newer job must not lend its id again.
  const copied = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'jobs'").get() as { seq: number } | undefined;
  const seq = Math.max(sequence?.seq ?? 0, copied?.seq ?? 0);
  db.prepare("DELETE FROM sqlite_sequence WHERE name = 'jobs'").run();
  if (seq > 0) db.prepare("INSERT INTO sqlite_sequence (name, seq) VALUES ('jobs', ?)").run(seq);
  adoptGenerationKeys(db);
  return true;
}

/**
 * Before `enqueueUnlessLive`, on-dependabot-alert.ts made room for a
 * package's next job with generation keys (`key`, then `key#2`, `key#3`…,
 * each created only once every earlier one had finished). A live job of
 * generation 2 or more takes the plain key, so that the next alert for its
 * package finds it instead of queueing a second upgrade. A `#n` key without a
 * job holding the plain key is not a generation (a comment key ends with
 * `#<comment id>`) and is left alone.
 */
function adoptGenerationKeys(db: DatabaseSync): void {
  const live = db.prepare(`SELECT id, dedupe_key FROM jobs WHERE ${LIVE} AND dedupe_key GLOB '*#[0-9]*'`).all() as { id: number; dedupe_key: string }[];
  const holders = db.prepare("SELECT state FROM jobs WHERE dedupe_key = ?");
  const rename = db.prepare("UPDATE jobs SET dedupe_key = ? WHERE id = ?");
  for (const row of live) {
    const match = /^(.+)#(\d+)$/.exec(row.dedupe_key);
    if (!match?.[1] || Number(match[2]) < 2) continue;
    const states = (holders.all(match[1]) as { state: string }[]).map((h) => h.state);
    if (states.length > 0 && !states.some((s) => s === "queued" || s === "running")) rename.run(match[1], row.id);
  }
}

function addThreadColumn(db: DatabaseSync): boolean {
  if (columnsOf(db, "jobs").includes("thread")) return false;
  db.exec("ALTER TABLE jobs ADD COLUMN thread TEXT");
  return true;
}

/**
 * Fills `thread` of the jobs written before the column existed, from their
 * payloads (`LEGACY_THREAD_SQL`: payloads of that time carried no `thread`).
 */
function backfillThreads(db: DatabaseSync): void {
  db.exec(`UPDATE jobs SET thread = ${LEGACY_THREAD_SQL} WHERE thread IS NULL AND json_valid(payload) AND json_extract(payload, '$.version') = 1`);
}
