import type { DatabaseSync } from "node:sqlite";

/**
 * Runs `fn` between `BEGIN IMMEDIATE` and `COMMIT` (`ROLLBACK` if it throws).
 * IMMEDIATE takes SQLite's write lock up front, so a read followed by a write
 * (look for a job, then insert one) is atomic across every process sharing
 * the database file, not only within this one.
 */
export function immediateTransaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = fn();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}
