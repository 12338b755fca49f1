import { open, type FileHandle } from "node:fs/promises";
import type { DatabaseSync } from "node:sqlite";
// Not the global: a test's fake timers must not hold commits back.
import { setImmediate } from "node:timers";

export interface GroupCommit {
  /** Runs `write` in the next group commit; resolves once that commit is on disk. */
  write<T>(write: () => T): Promise<T>;
  /**
   * Commits the writes asked for so far now (their promises still settle
   * after the sync): a read then sees every write asked for before it, as
   * when each write committed at once, fire-and-forget ones included.
   */
  flush(): void;
}

interface PendingWrite {
  run(): unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Group commit for the queue's writes. Those asked for during one turn of the
 * event loop (the deliveries read in that turn) run in one `BEGIN IMMEDIATE
 * … COMMIT`, each in its own savepoint, so one that throws rolls back only
 * itself. The database runs with synchronous=NORMAL, so COMMIT writes the WAL
 * without waiting for the disk; then `syncWal` (an fdatasync on libuv's
 * thread pool) makes the commit durable, and only then does any of its
 * promises settle. A webhook that awaits its write before its 2xx is as
 * durable as with synchronous=FULL (power loss included), but one fsync
 * serves a whole burst and the event loop keeps serving while it runs.
 */
export function createGroupCommit(db: DatabaseSync, syncWal: () => Promise<void>): GroupCommit {
  let pending: PendingWrite[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      db.exec("BEGIN IMMEDIATE");
      for (const write of batch) {
        db.exec("SAVEPOINT write");
        try {
          outcomes.push({ ok: true, value: write.run() });
          db.exec("RELEASE write");
        } catch (error) {
          db.exec("ROLLBACK TO write");
          db.exec("RELEASE write");
          outcomes.push({ ok: false, error });
        }
      }
      db.exec("COMMIT");
    } catch (error) {
      if (db.isTransaction) db.exec("ROLLBACK");
      for (const write of batch) write.reject(error);
      return;
    }
    syncWal().then(
      () =>
        batch.forEach((write, i) => {
          const outcome = outcomes[i];
          if (outcome?.ok) write.resolve(outcome.value);
          else write.reject(outcome?.error);
        }),
      (error: unknown) => {
        for (const write of batch) write.reject(error);
      },
    );
  };
  return {
    write: <T>(run: () => T) =>
      new Promise<T>((resolve, reject) => {
        // After this turn's I/O callbacks (the other deliveries read meanwhile), before the next poll.
        if (pending.length === 0) setImmediate(flush);
        pending.push({ run, resolve: resolve as (value: unknown) => void, reject });
      }),
    flush,
  };
}

/**
 * fdatasync of the WAL file on libuv's thread pool, shared: a caller waits
 * for a sync that started after its call; one runs at a time, and the next
 * one serves everyone who asked meanwhile. The file handle is kept: SQLite
 * only deletes the WAL when the last connection closes, and this queue's
 * connection is open as long as it is (a size limit truncates, same file).
 */
export function createWalSync(walPath: string): { sync(): Promise<void>; close(): Promise<void> } {
  let handle: FileHandle | null = null;
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  const start = (): Promise<void> => {
    running = (async () => {
      handle ??= await open(walPath, "r");
      await handle.datasync();
    })().finally(() => {
      running = null;
    });
    return running;
  };
  return {
    sync() {
      if (running === null) return start();
      queued ??= running
        .catch(() => undefined)
        .then(() => {
          queued = null;
          return start();
        });
      return queued;
    },
    async close() {
      await handle?.close();
      handle = null;
    },
  };
}
