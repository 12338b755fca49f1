import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteQueue, type JobQueue } from "../../src/queue/sqlite-queue.ts";
import { advisoryPayload } from "./payloads.ts";

/**
 * What only the SQLite queue has: its database file, read here with a raw
 * connection. The contract both backends keep is tested through describeBackends
 * (job-queue.test.ts and its neighbours); the schema's migration in queue-migration.test.ts.
 */

let dir: string;
let q: JobQueue;
const KEY = "advisory:o/r:npm:lodash";

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "pw-sqlite-queue-"));
  q = openSqliteQueue({ dataDir: dir });
});
afterEach(async () => {
  await q.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `fn` on a second, raw connection to the queue's database file. */
function withRawDatabase<T>(fn: (raw: DatabaseSync) => T): T {
  const raw = new DatabaseSync(path.join(dir, "patchwright.db"));
  try {
    return fn(raw);
  } finally {
    raw.close();
  }
}

describe("sqlite queue, its database", () => {
  it("is one live job per key across connections, down to the database's own index", async () => {
    const other = openSqliteQueue({ dataDir: dir });
    try {
      const mine = (await q.enqueueUnlessLive(advisoryPayload(), KEY)).job;
      expect(await other.enqueueUnlessLive(advisoryPayload(), KEY)).toMatchObject({ created: false, job: { id: mine.id } });
      withRawDatabase((raw) => {
        const insert = raw.prepare("INSERT INTO jobs (dedupe_key, state, payload, created_at, updated_at) VALUES (?, ?, '{}', 0, 0)");
        expect(() => insert.run(KEY, "running")).toThrow(/UNIQUE/);
        expect(() => insert.run(KEY, "succeeded")).not.toThrow();
      });
    } finally {
      await other.close();
    }
  });

  it("finds a thread's jobs with an indexed lookup, not a scan of every job", () => {
    withRawDatabase((raw) => {
      const plan = raw.prepare("EXPLAIN QUERY PLAN SELECT * FROM jobs WHERE thread = ? ORDER BY id").all("o/r#7") as { detail: string }[];
      expect(plan.map((p) => p.detail).join("\n")).toMatch(/USING INDEX jobs_thread \(thread=\?\)/);
      expect(plan.map((p) => p.detail).join("\n")).not.toMatch(/TEMP B-TREE/);
    });
  });
});
