/**
 * An exclusive lock on one repository's mirror, across processes and within
 * one: `flock(1)` (util-linux) takes a kernel lock on the lock file and execs
 * `cat` holding it, and we hold `cat`'s stdin. Closing stdin releases it; so does
 * the death of this process (the pipe closes, `cat` exits), so a
 * crashed worker never leaves a stale lock behind and no pid or age
 * heuristics are needed.
 */
import { spawn } from "node:child_process";
import { PatchwrightError } from "../errors.ts";

/** Default path of flock(1) (Debian/Ubuntu `util-linux`, always installed). */
export const DEFAULT_FLOCK_PATH = "/usr/bin/flock";

export interface MirrorLockOptions {
  /** Give up after waiting this long for another job's fetch. Default 20 minutes (two git timeouts). */
  readonly waitMs?: number;
  /** Injectable for tests. */
  readonly flockPath?: string;
}

const DEFAULT_WAIT_MS = 20 * 60 * 1000;
/** What we write to `cat` and wait to read back: `cat` only runs once flock holds the lock. */
const HELD = "held\n";

/**
 * Runs `fn` while holding the lock on `lockFile` (created if missing); the
 * lock is released when `fn` settles, whatever it returns or throws.
 * @throws PatchwrightError `clone_failed` (retryable) when the lock cannot be
 *   taken in time or flock cannot run.
 */
export async function withMirrorLock<T>(lockFile: string, fn: () => Promise<T>, options: MirrorLockOptions = {}): Promise<T> {
  const release = await acquireMirrorLock(lockFile, options);
  try {
    return await fn();
  } finally {
    await release();
  }
}

/**
 * Takes the lock, for a caller that starts waiting before it knows what it
 * will do under it (`openWorkspace` prepares the job meanwhile); prefer
 * `withMirrorLock`. Call the returned function exactly once to release it.
 * @throws PatchwrightError as `withMirrorLock`.
 */
export function acquireMirrorLock(lockFile: string, options: MirrorLockOptions = {}): Promise<() => Promise<void>> {
  const flockPath = options.flockPath ?? DEFAULT_FLOCK_PATH;
  const waitSeconds = Math.max(1, Math.ceil((options.waitMs ?? DEFAULT_WAIT_MS) / 1000));
  // --no-fork: flock execs cat, which inherits the locked descriptor: one process, not two.
  const child = spawn(flockPath, ["--exclusive", "--no-fork", "--wait", String(waitSeconds), lockFile, "cat"], {
    env: { PATH: "/usr/bin:/bin", LANG: "C", LC_ALL: "C" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const release = async (): Promise<void> => {
    child.stdin.end();
    await exited;
  };
  return new Promise((resolve, reject) => {
    let echoed = "";
    let stderr = "";
    const fail = (why: string, cause?: unknown): void => {
      child.kill("SIGKILL");
      reject(
        new PatchwrightError(
          "clone_failed",
          `Could not lock the repository cache ${lockFile}: ${why}. Another job may hold it for a long fetch; ` +
            "retry later, and check that util-linux's flock is installed on the worker.",
          cause === undefined ? {} : { cause },
        ),
      );
    };
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      echoed += chunk;
      if (echoed === HELD) resolve(release);
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => (stderr += chunk));
    child.stdin.on("error", () => undefined); // flock may exit (timeout) before reading
    child.on("error", (error) => fail(`${flockPath} cannot be started (${error.message})`, error));
    void exited.then((code) => {
      if (echoed === HELD) return;
      fail(stderr.trim() || (code === 1 ? `still held by another job after ${waitSeconds} s` : `flock exited with ${code ?? "a signal"}`));
    });
    child.stdin.write(HELD);
  });
}
