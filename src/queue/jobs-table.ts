/** The shape of the `jobs` table, shared by the schema, its migration and the queue's queries. */

/**
 * The SQL condition of a job that has not finished. Queries spell it exactly
 * like `jobs_live_key`'s WHERE clause, so SQLite can use that partial index.
 */
export const LIVE = "state IN ('queued', 'running')";

/**
 * The columns of `jobs` as this version creates it (a migrated table has the
 * same ones). Ends with a newline: the `--` comments must not swallow the `)`.
 */
export const JOBS_COLUMNS = `
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dedupe_key TEXT NOT NULL, -- not UNIQUE: see jobs_live_key in queue-schema.ts
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
    updated_at INTEGER NOT NULL,
    thread TEXT -- owner/name#number of the job's issue or pull request (thread-of.ts), or NULL
`;
