import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { JobPayload } from "../../src/queue/job.ts";
import { openSqliteQueue } from "../../src/queue/sqlite-queue.ts";
import { advisoryPayload, ciPayload, commentPayload } from "./payloads.ts";

/** The schema as versions before `thread` and "unless live" wrote it (dedupe_key UNIQUE, no thread). */
const OLD_SCHEMA = `
  PRAGMA journal_mode = WAL;
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
`;

let dir: string;
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "pw-queue-migrate-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Writes an old database by hand: `schema`, then one row per job, in id order. */
function writeOldDatabase(schema: string, jobs: { key: string; state: string; payload: JobPayload | string }[]): void {
  const db = new DatabaseSync(path.join(dir, "patchwright.db"));
  db.exec(schema);
  const insert = db.prepare("INSERT INTO jobs (dedupe_key, state, payload, created_at, updated_at) VALUES (?, ?, ?, 1, 1)");
  for (const job of jobs) insert.run(job.key, job.state, typeof job.payload === "string" ? job.payload : JSON.stringify(job.payload));
  db.close();
}

function indexes(): { name: string; unique: number; origin: string; partial: number }[] {
  const db = new DatabaseSync(path.join(dir, "patchwright.db"));
  try {
    return db.prepare("SELECT name, \"unique\", origin, partial FROM pragma_index_list('jobs') ORDER BY name").all() as never;
  } finally {
    db.close();
  }
}

describe("opening a database written by an older version", () => {
  it("keeps every job, finds threads of old jobs, and keeps one live job per key across the old generation keys", async () => {
    writeOldDatabase(OLD_SCHEMA, [
      { key: "comment:o/r#100", state: "succeeded", payload: commentPayload(7) },
      { key: "ci:o/r@b", state: "queued", payload: ciPayload({ sha: "b", pr: 7 }) },
      { key: "ci:o/r@c", state: "queued", payload: ciPayload({ sha: "c" }) },
      { key: "advisory:o/r:npm:lodash", state: "succeeded", payload: advisoryPayload() },
      { key: "advisory:o/r:npm:lodash#2", state: "queued", payload: advisoryPayload() },
      { key: "comment:o/r#101", state: "queued", payload: commentPayload(9, { commentId: 101 }) },
      { key: "gone", state: "succeeded", payload: ciPayload() },
    ]);
    const raw = new DatabaseSync(path.join(dir, "patchwright.db"));
    raw.exec("DELETE FROM jobs WHERE dedupe_key = 'gone'; INSERT INTO ledger (job_id, at, kind, data) VALUES (2, 1, 'reproduce', '{\"exit\":1}')");
    raw.close();

    const q = openSqliteQueue({ dataDir: dir });
    try {
      expect((await q.list()).map((j) => [j.id, j.state])).toEqual([
        [1, "succeeded"],
        [2, "queued"],
        [3, "queued"],
        [4, "succeeded"],
        [5, "queued"],
        [6, "queued"],
      ]);
      expect(await q.ledger(2)).toEqual([{ at: 1, kind: "reproduce", data: { exit: 1 } }]);
      // Backfilled from the payloads.
      expect((await q.jobsOfThread("o/r", 7)).map((j) => j.id)).toEqual([1, 2]);
      expect((await q.jobsOfThread("o/r", 9)).map((j) => j.id)).toEqual([6]);
      // The live second generation holds the package's key now…
      expect(await q.enqueueUnlessLive(advisoryPayload(), "advisory:o/r:npm:lodash")).toMatchObject({ created: false, job: { id: 5 } });
      // …while a comment key that merely ends in #<number> is not taken for a generation.
      expect(await q.enqueue(commentPayload(9, { commentId: 101 }), "comment:o/r#101")).toMatchObject({ created: false, job: { id: 6 } });
      // A key a finished job holds still dedupes plain enqueue; new ids never reuse a deleted job's.
      expect(await q.enqueue(commentPayload(7), "comment:o/r#100")).toMatchObject({ created: false, job: { id: 1 } });
      expect((await q.enqueue(ciPayload({ sha: "f" }), "ci:o/r@f")).job.id).toBe(8);
    } finally {
      await q.close();
    }
    expect(indexes().filter((i) => i.origin === "u")).toEqual([]);
    expect(indexes().find((i) => i.name === "jobs_live_key")).toMatchObject({ unique: 1, partial: 1 });
    expect(indexes().map((i) => i.name)).toContain("jobs_thread");
  });

  it("migrates once: opening again changes nothing", async () => {
    writeOldDatabase(OLD_SCHEMA, [{ key: "ci:o/r@b", state: "queued", payload: ciPayload({ sha: "b", pr: 7 }) }]);
    await openSqliteQueue({ dataDir: dir }).close();
    const before = indexes();
    const q = openSqliteQueue({ dataDir: dir });
    try {
      expect(indexes()).toEqual(before);
      expect((await q.jobsOfThread("o/r", 7)).map((j) => j.id)).toEqual([1]);
    } finally {
      await q.close();
    }
  });

  it("gives a table from before /agent stop its cancel column", async () => {
    writeOldDatabase(OLD_SCHEMA.replace("    cancel_by TEXT,\n", ""), [{ key: "ci:o/r@b", state: "queued", payload: ciPayload({ sha: "b", pr: 7 }) }]);
    const q = openSqliteQueue({ dataDir: dir });
    try {
      const job = (await q.lease("w", 60_000))!;
      expect((await q.requestCancel([job.id], "maintainer")).flagged.map((j) => j.id)).toEqual([job.id]);
      expect(await q.cancelRequestedBy(job.id)).toBe("maintainer");
    } finally {
      await q.close();
    }
  });

  it("leaves the thread of a payload it cannot read empty instead of refusing to start", async () => {
    writeOldDatabase(OLD_SCHEMA, [
      { key: "broken", state: "failed", payload: "{not json" },
      { key: "future", state: "failed", payload: JSON.stringify({ ...ciPayload({ pr: 7 }), version: 2 }) },
      { key: "ci:o/r@b", state: "queued", payload: ciPayload({ sha: "b", pr: 7 }) },
    ]);
    const q = openSqliteQueue({ dataDir: dir });
    try {
      expect((await q.jobsOfThread("o/r", 7)).map((j) => j.id)).toEqual([3]);
    } finally {
      await q.close();
    }
  });
});
