import { constants, type Stats } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { resolveInJail } from "../../security/path-jail.ts";
import { findProtectedMatch } from "../../security/protected-paths.ts";
import type { ToolContext, ToolOutcome } from "./types.ts";

/** A refusal or failure the model should read and act on. */
export function fail(message: string): ToolOutcome {
  return { ok: false, output: `Error: ${message}` };
}

export function ok(output: string): ToolOutcome {
  return { ok: true, output };
}

/** Directories no tool walks into: VCS internals and installed dependencies. */
export const SKIPPED_DIRECTORIES: ReadonlySet<string> = new Set([".git", "node_modules"]);

/** Bytes inspected to decide whether a file is binary (git's heuristic: a NUL byte). */
const SNIFF_BYTES = 8000;

export function looksBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, SNIFF_BYTES).includes(0);
}

/**
 * What a non-regular file is, for a refusal; undefined for regular files and
 * directories. The workspace is the repository's: a command can leave a FIFO
 * there (whose open or read blocks until a writer comes, taking a libuv
 * thread for ever) or a socket; a device cannot be made inside the sandbox,
 * but could come from elsewhere. No tool opens one.
 */
export function specialKind(stats: Stats): string | undefined {
  if (stats.isFIFO()) return "a named pipe (FIFO)";
  if (stats.isSocket()) return "a socket";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  return undefined;
}

/** The refusal for a special file, naming it. */
export function specialFileMessage(relative: string, kind: string): string {
  return `${relative} is ${kind}, not a regular file; the file tools only read and write regular files.`;
}

/**
 * Opens a regular file without ever blocking: O_NONBLOCK (a FIFO that
 * replaced the file since it was checked opens at once instead of waiting
 * for a writer), O_NOFOLLOW (nor does a symlink lead elsewhere), then fstat
 * on the open file: anything but a regular file is closed and refused.
 */
export async function openRegular(file: string, flags: number, display = file): Promise<FileHandle> {
  const handle = await open(file, flags | constants.O_NONBLOCK | constants.O_NOFOLLOW, 0o644);
  const stats = await handle.stat();
  if (stats.isFile()) return handle;
  await handle.close();
  throw new Error(specialFileMessage(display, specialKind(stats) ?? "a directory"));
}

/** Reads at most `limit` bytes from the start of a regular file. */
export async function readHead(file: string, limit: number, display = file): Promise<Buffer> {
  const handle = await openRegular(file, constants.O_RDONLY, display);
  try {
    const buffer = Buffer.alloc(limit);
    const { bytesRead } = await handle.read(buffer, 0, limit, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Reads a whole regular file (see `openRegular`). */
export async function readRegular(file: string, display = file): Promise<Buffer> {
  const handle = await openRegular(file, constants.O_RDONLY, display);
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/** Keeps the start and, mostly, the end of long text (errors tend to be last). */
export function capMiddle(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const head = Math.floor(maxChars * 0.2);
  const tail = maxChars - head;
  const dropped = text.length - head - tail;
  return `${text.slice(0, head)}\n[… ${dropped} characters omitted …]\n${text.slice(text.length - tail)}`;
}

export type Resolved = { ok: true; absolute: string; relative: string } | { ok: false; outcome: ToolOutcome };

/** Jail check for reading tools. */
export async function resolveForRead(context: ToolContext, requested: string): Promise<Resolved> {
  const result = await resolveInJail(context.root, requested);
  if (!result.ok) return { ok: false, outcome: fail(result.reason) };
  return { ok: true, absolute: result.absolute, relative: result.relative };
}

/**
 * Jail and protected-path check for writing tools. Both the requested path and
 * where it really lives are checked, so a symlink inside the repository cannot
 * lead a write into `.github/workflows/`.
 */
export async function resolveForWrite(context: ToolContext, requested: string): Promise<Resolved> {
  const result = await resolveInJail(context.root, requested);
  if (!result.ok) return { ok: false, outcome: fail(result.reason) };
  if (result.relative === ".") return { ok: false, outcome: fail("the repository root is a directory; name a file.") };
  for (const candidate of new Set([result.relative, result.realRelative])) {
    const glob = findProtectedMatch(candidate, context.protectedPaths);
    if (glob !== undefined) {
      return {
        ok: false,
        outcome: fail(`${result.relative} is a protected path (matches "${glob}") and cannot be changed. Fix the problem elsewhere.`),
      };
    }
  }
  return { ok: true, absolute: result.absolute, relative: result.relative };
}

/**
 * Writes a file the jail has resolved, refusing to follow a symlink in the
 * final component: had one appeared since the check (a background process of
 * a command), the write fails instead of leaving the workspace.
 */
export async function writeResolved(absolute: string, content: string, display = absolute): Promise<void> {
  // Truncated only once it is known to be a regular file.
  const handle = await openRegular(absolute, constants.O_WRONLY | constants.O_CREAT, display);
  try {
    await handle.truncate(0);
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
}

/** The errno code of a failed fs call, if any. */
export function errnoCode(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error && typeof error.code === "string" ? error.code : undefined;
}
