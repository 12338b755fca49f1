/**
 * Spawns one process with a bounded, merged output, a timeout that kills the
 * whole process group, and no shell of its own. The sandbox and the host
 * fallback both go through here.
 */
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { constants as osConstants } from "node:os";
import { performance } from "node:perf_hooks";
import type { Readable, Writable } from "node:stream";
import { createOutputCapture } from "./capture-output.ts";

export interface RunProcessInput {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** The complete environment; nothing is inherited from the host. */
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly outputLimitBytes: number;
  /**
   * Kill what is left of the process group once the main process exits
   * (background jobs on the host). Under bubblewrap the PID namespace already
   * does this, so it is off there.
   */
  readonly killGroupOnExit?: boolean;
  /** Kills the whole process group when aborted (`/agent stop`); the result then has exit code 137. */
  readonly signal?: AbortSignal;
  /** Written to the child's fd 3 (a pipe), then closed: bubblewrap's `--args 3`. */
  readonly fd3Data?: string;
}

export interface RunProcessResult {
  /** Exit code; 124 on timeout, 128+n when killed by signal n. */
  readonly exitCode: number;
  readonly output: string;
  readonly truncated: boolean;
  readonly timedOut: boolean;
  readonly durationMs: number;
}

/** Exit code reported for a timed-out command, as coreutils `timeout` does. */
export const TIMEOUT_EXIT_CODE = 124;

/**
 * How long to wait for the output pipes to close after the process group was
 * killed. Only a process that left the group (setsid, host mode) can hold them
 * open longer; we stop reading rather than hang the job.
 */
const PIPE_GRACE_MS = 2_000;

/** setTimeout fires at once above this (it is a signed 32-bit delay). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Runs a process to completion. Resolves for every exit; rejects only if it cannot be spawned. */
export function runProcess(input: RunProcessInput): Promise<RunProcessResult> {
  const started = performance.now();
  const capture = createOutputCapture(input.outputLimitBytes);
  return new Promise((resolve, reject) => {
    // Declared before the spawn: the error handler clears them whenever it runs.
    const timers: { main?: NodeJS.Timeout; grace?: NodeJS.Timeout } = {};
    let onAbort = (): void => undefined;
    // With or without fd 3, stdout and stderr are pipes.
    const child: ChildProcessByStdio<null, Readable, Readable> = spawn(input.file, input.args, {
      cwd: input.cwd,
      env: { ...input.env },
      stdio: input.fd3Data === undefined ? ["ignore", "pipe", "pipe"] : ["ignore", "pipe", "pipe", "pipe"],
      // Its own process group (setsid), so a timeout can kill the whole tree.
      detached: true,
    }) as ChildProcessByStdio<null, Readable, Readable>;
    // First of all: a spawn error (EMFILE, ENOENT, EAGAIN) is emitted on the next tick, and an
    // 'error' without a listener would crash the worker. With EMFILE the pipes may be missing too.
    child.on("error", (error) => {
      clearTimeout(timers.main);
      clearTimeout(timers.grace);
      input.signal?.removeEventListener("abort", onAbort);
      reject(error);
    });
    // The 'error' above (on the next tick) says why; this is the fallback if none comes.
    const noPipes = (): void => void setImmediate(() => reject(new Error(`${input.file}: its pipes could not be created`)));
    if (!child.stdout || !child.stderr) return noPipes();
    if (input.fd3Data !== undefined) {
      const fd3 = child.stdio[3] as unknown as Writable | null | undefined;
      if (!fd3) return noPipes();
      // EPIPE when the child exits without reading: its exit code says what went wrong.
      fd3.on("error", () => undefined);
      fd3.end(input.fd3Data);
    }
    let timedOut = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let openPipes = 2;

    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // ESRCH: the group is already gone.
      }
    };
    timers.main = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, Math.min(input.timeoutMs, MAX_TIMER_MS));
    onAbort = (): void => killGroup();
    input.signal?.addEventListener("abort", onAbort, { once: true });
    if (input.signal?.aborted) killGroup();

    const finish = (): void => {
      if (exit === undefined || openPipes > 0) return;
      clearTimeout(timers.main);
      clearTimeout(timers.grace);
      input.signal?.removeEventListener("abort", onAbort);
      const { output, truncated } = capture.finish();
      resolve({
        exitCode: timedOut ? TIMEOUT_EXIT_CODE : exitCodeOf(exit.code, exit.signal),
        output,
        truncated,
        timedOut,
        durationMs: Math.round(performance.now() - started),
      });
    };

    for (const stream of [child.stdout, child.stderr]) {
      stream.on("data", (chunk: Buffer) => capture.write(chunk));
      stream.on("close", () => {
        openPipes -= 1;
        finish();
      });
    }
    child.on("exit", (code, signal) => {
      exit = { code, signal };
      // Leftover background processes of the group must not outlive the command.
      if (input.killGroupOnExit === true) killGroup();
      timers.grace = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, PIPE_GRACE_MS);
      finish();
    });
  });
}

function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const number = signal === null ? undefined : osConstants.signals[signal];
  return 128 + (number ?? 0);
}
