import { constants } from "node:fs";
import { open, writeFile } from "node:fs/promises";
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

/** Reads at most `limit` bytes from the start of a file. */
export async function readHead(file: string, limit: number): Promise<Buffer> {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(limit);
    const { bytesRead } = await handle.read(buffer, 0, limit, 0);
    return buffer.subarray(0, bytesRead);
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
export async function writeResolved(absolute: string, content: string): Promise<void> {
  await writeFile(absolute, content, { flag: constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW });
}

/** The errno code of a failed fs call, if any. */
export function errnoCode(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error && typeof error.code === "string" ? error.code : undefined;
}
