/** Reads the failed job's workflow file from the fresh checkout of the failing commit. */
import { readRepoFile } from "./read-repo-file.ts";

/**
 * The workflow at `relativePath` in `dir`, as CI ran it: the checkout is at
 * the failing commit and nothing has run in it yet. Only a regular file
 * inside the checkout is read (see `readRepoFile`). Undefined when missing or
 * refused: the reproduction then falls back to the config or package.json,
 * and says so.
 */
export async function readWorkflowFile(dir: string, relativePath: string): Promise<{ path: string; text: string } | undefined> {
  const text = await readRepoFile(dir, relativePath);
  return text === null ? undefined : { path: relativePath, text };
}
