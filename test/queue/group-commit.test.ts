import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createGroupCommit } from "../../src/queue/group-commit.ts";

let dir: string;
let db: DatabaseSync;
let syncs: number;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "pw-group-commit-"));
  db = new DatabaseSync(path.join(dir, "t.db"));
  db.exec("PRAGMA journal_mode = WAL; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)");
  syncs = 0;
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const rows = () => (db.prepare("SELECT v FROM t ORDER BY id").all() as { v: string }[]).map((r) => r.v);

describe("group commit", () => {
  it("commits the writes of one turn together, with one sync, and resolves each with its own result", async () => {
    const { write } = createGroupCommit(db, async () => void (syncs += 1));
    const insert = db.prepare("INSERT INTO t (v) VALUES (?)");
    const results = await Promise.all(["a", "b", "c"].map((v) => write(() => Number(insert.run(v).lastInsertRowid))));
    expect(results).toEqual([1, 2, 3]);
    expect(syncs).toBe(1);
    expect(rows()).toEqual(["a", "b", "c"]);
  });

  it("rolls back only the write that throws", async () => {
    const { write } = createGroupCommit(db, async () => {});
    const insert = db.prepare("INSERT INTO t (v) VALUES (?)");
    const outcomes = await Promise.allSettled([write(() => insert.run("a")), write(() => insert.run("a")), write(() => insert.run("b"))]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(rows()).toEqual(["a", "b"]);
  });

  it("settles no write before its sync, and rejects them all when the sync fails", async () => {
    let release: (ok: boolean) => void = () => {};
    const { write } = createGroupCommit(db, () => new Promise<void>((resolve, reject) => (release = (ok) => (ok ? resolve() : reject(new Error("EIO"))))));
    let settled = false;
    const first = write(() => db.prepare("INSERT INTO t (v) VALUES ('a')").run()).finally(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    release(true);
    await first;
    const second = write(() => db.prepare("INSERT INTO t (v) VALUES ('b')").run());
    await new Promise((resolve) => setImmediate(resolve));
    release(false);
    await expect(second).rejects.toThrow("EIO");
  });

  it("flush commits what was asked so far at once: a read sees a write nobody awaited", () => {
    const { write, flush } = createGroupCommit(db, async () => {});
    void write(() => db.prepare("INSERT INTO t (v) VALUES ('a')").run());
    flush();
    expect(rows()).toEqual(["a"]);
  });
});
