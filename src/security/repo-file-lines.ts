import { readFile, stat } from "node:fs/promises";
import { resolveInJail } from "./path-jail.ts";

/** Larger files are not counted (generated or vendored; nobody annotates them). */
const MAX_BYTES = 4 * 1024 * 1024;

/**
 * How many lines the checkout's file `relative` has, or null when it is not
 * a regular file inside `root` (missing, a directory, absolute, with `..`,
 * through a link that leaves the repository) or is too large to count.
 * Through the path jail, like every file tool.
 */
export async function repoFileLines(root: string, relative: string): Promise<number | null> {
  const jailed = await resolveInJail(root, relative);
  if (!jailed.ok) return null;
  const stats = await stat(jailed.absolute).catch(() => null);
  if (!stats?.isFile() || stats.size > MAX_BYTES) return null;
  const text = await readFile(jailed.absolute, "utf8");
  if (text === "") return 0;
  return text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}
