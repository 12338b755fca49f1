/**
 * The runner's file-command files on the host. Each run of a plan gets a
 * private host directory (mkdtemp, 0700); each step a fresh subdirectory in
 * it with empty `env`, `path`, `output`, `step_summary` and `state` files,
 * bound writable at `SANDBOX_FILE_COMMANDS` for that step only (GitHub
 * mounts them at the same path in container jobs). A root worker's sandbox
 * user gets the subdirectory the way it gets every writable bind
 * (`workspace/sandbox-grant-access.ts` hands it over before the command), so
 * nothing here is world-writable.
 *
 * What a step leaves there is hostile input: it may be huge, a symbolic link
 * to a host file, a FIFO that never ends. Reads never follow a link
 * (O_NOFOLLOW), never block (O_NONBLOCK), take only single-linked regular
 * files and stop at `FILE_COMMAND_LIMIT_BYTES`. The subdirectory itself is a
 * mount point inside the sandbox, so it cannot be swapped for a link.
 */
import { constants } from "node:fs";
import { mkdir, mkdtemp, open, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ExtraBind } from "../workspace/sandbox-extra-binds.ts";
import type { Sandbox } from "../workspace/types.ts";
import type { FileRead, StepFileReads } from "./runner-state.ts";

/** Where a step finds its file-command files inside the sandbox. */
export const SANDBOX_FILE_COMMANDS = "/github/file_commands";

/** What is read of one file; a larger one is not taken (an inexact note, not a failure). */
export const FILE_COMMAND_LIMIT_BYTES = 1024 * 1024;

/** The variables a step gets, and their files. */
const FILES = {
  GITHUB_ENV: "env",
  GITHUB_PATH: "path",
  GITHUB_OUTPUT: "output",
  GITHUB_STEP_SUMMARY: "step_summary",
  GITHUB_STATE: "state",
} as const;

export interface StepFiles {
  /** `GITHUB_ENV`, `GITHUB_PATH`, ... pointing at the step's files as the command sees them. */
  readonly env: Readonly<Record<string, string>>;
  /** The mount, or none when the sandbox runs on the host (the variables then name host paths). */
  readonly binds: readonly ExtraBind[];
  /** Reads what the step wrote (summary and state are ignored, as they cannot change later steps' results here). */
  read(): Promise<StepFileReads>;
}

export interface RunnerFiles {
  /** Fresh, empty files for the next step. */
  forStep(): Promise<StepFiles>;
  /** Deletes the run's directory. Idempotent. */
  dispose(): Promise<void>;
}

/** @param parent where the run's directory is made; default the OS temp directory. */
export async function openRunnerFiles(sandbox: Pick<Sandbox, "isolation">, parent = tmpdir()): Promise<RunnerFiles> {
  const runDir = await mkdtemp(path.join(parent, "patchwright-runner-"));
  const onHost = sandbox.isolation === "host";
  let count = 0;
  return {
    async forStep() {
      const dir = path.join(runDir, `step-${++count}`);
      await mkdir(dir, { mode: 0o700 });
      for (const file of Object.values(FILES)) await writeFile(path.join(dir, file), "", { flag: "wx", mode: 0o600 });
      const base = onHost ? dir : SANDBOX_FILE_COMMANDS;
      return {
        env: Object.fromEntries(Object.entries(FILES).map(([variable, file]) => [variable, `${base}/${file}`])),
        binds: onHost ? [] : [{ hostPath: dir, sandboxPath: SANDBOX_FILE_COMMANDS, writable: true }],
        async read() {
          const [env, pathFile, output] = await Promise.all([FILES.GITHUB_ENV, FILES.GITHUB_PATH, FILES.GITHUB_OUTPUT].map((f) => readCapped(path.join(dir, f))));
          // The next step gets a new directory; this one goes now (rm does not follow links).
          await rm(dir, { recursive: true, force: true });
          return { env: env ?? { text: "" }, path: pathFile ?? { text: "" }, output: output ?? { text: "" } };
        },
      };
    },
    async dispose() {
      await rm(runDir, { recursive: true, force: true });
    },
  };
}

/** A regular file's text, at most `limit` bytes; a missing file is empty. */
export async function readCapped(file: string, limit = FILE_COMMAND_LIMIT_BYTES): Promise<FileRead> {
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { text: "" };
    if (code === "ELOOP") return { problem: "the file was replaced by a symbolic link" };
    return { problem: `the file cannot be read (${code ?? String(error)})` };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { problem: "the file was replaced by something that is not a regular file" };
    if (info.nlink > 1) return { problem: "the file was replaced by a hard link" };
    if (info.size > limit) return { problem: `it is larger than ${limit} bytes` };
    const buffer = Buffer.alloc(limit + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > limit) return { problem: `it is larger than ${limit} bytes` };
    }
    return { text: buffer.subarray(0, length).toString("utf8") };
  } finally {
    await handle.close();
  }
}
