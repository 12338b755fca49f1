import type { Stats } from "node:fs";
import { lstat, realpath } from "node:fs/promises";
import path from "node:path";
import { normalizeRelative } from "./match-glob.ts";

/**
 * The path jail behind every file tool: a path the model gives is accepted
 * only if it is relative, has no `..` segment, and — once every symbolic link
 * on the way is resolved — still lies inside the workspace. Resolution walks
 * the path one segment at a time, so a symlink anywhere (a directory link, a
 * final link, a dangling link whose target would be created by a write) is
 * followed and checked before anything is read or written.
 */
export type JailResult =
  | {
      readonly ok: true;
      /** Host path with symlinks resolved: the one to read or write. */
      readonly absolute: string;
      /** The requested path, normalised (`./a//b` → `a/b`; `.` for the root). */
      readonly relative: string;
      /** Where it really lives, relative to the workspace root (differs when a symlink was followed). */
      readonly realRelative: string;
    }
  | { readonly ok: false; readonly reason: string };

/** Resolves a model-supplied `requested` path inside `root`; never throws for a bad path. */
export async function resolveInJail(root: string, requested: string): Promise<JailResult> {
  const refuse = (reason: string): JailResult => ({ ok: false, reason });
  const raw = requested.trim();
  if (raw.includes("\0")) return refuse("the path contains a NUL character.");
  if (path.isAbsolute(raw) || raw.startsWith("\\") || /^[A-Za-z]:/.test(raw) || raw.startsWith("~")) {
    return refuse(`"${raw}" is absolute; give a path relative to the repository root, e.g. "src/index.ts".`);
  }
  const relative = normalizeRelative(raw) || ".";
  const segments = relative.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.includes("..")) {
    return refuse(`"${raw}" contains "..": only paths inside the repository are allowed, written without "..".`);
  }

  const realRoot = await realpath(root);
  let current = realRoot;
  for (let i = 0; i < segments.length; i++) {
    const next = path.join(current, segments[i] ?? "");
    let stats: Stats;
    try {
      stats = await lstat(next);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") {
        // Nothing below a missing segment exists either: the rest is plain names inside `current`.
        current = path.join(next, ...segments.slice(i + 1));
        break;
      }
      if (code === "ENOTDIR") return refuse(`"${raw}": ${segments.slice(0, i).join("/")} is a file, not a directory.`);
      throw error;
    }
    if (stats.isSymbolicLink()) {
      let target: string;
      try {
        target = await realpath(next);
      } catch {
        return refuse(`"${raw}" goes through a symbolic link whose target does not exist; it is not followed.`);
      }
      if (!isInside(realRoot, target)) return refuse(`"${raw}" goes through a symbolic link that points outside the repository.`);
      current = target;
    } else {
      current = next;
    }
  }
  if (!isInside(realRoot, current)) return refuse(`"${raw}" resolves outside the repository.`);
  const realRelative = path.relative(realRoot, current).split(path.sep).join("/") || ".";
  return { ok: true, absolute: current, relative, realRelative };
}

function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}
