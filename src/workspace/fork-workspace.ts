import { execa } from "execa";
import path from "node:path";
import { PatchwrightError } from "../errors.ts";
import { runGit } from "./run-git.ts";

/**
 * Gives a fresh checkout of the same commit what setup installed in the first
 * one (untracked and ignored files: `node_modules/`, build outputs), so parallel
 * fixers do not each re-run the install. Copies use reflinks where the file
 * system has them.
 */
export async function copyInstalledFiles(fromDir: string, toDir: string): Promise<void> {
  const listed = await runGit(["ls-files", "--others", "--directory", "--no-empty-directory", "-z"], { cwd: fromDir });
  if (listed.exitCode !== 0) throw new PatchwrightError("internal", `Listing installed files failed: ${listed.stderr.trim()}`);
  const entries = listed.stdout
    .split("\0")
    .filter(Boolean)
    .map((entry) => entry.replace(/\/$/, ""))
    .filter((entry) => !entry.split("/").includes(".git"));
  for (const entry of entries) {
    const target = path.join(toDir, entry);
    await execa("mkdir", ["-p", path.dirname(target)]);
    await execa("cp", ["-a", "--reflink=auto", path.join(fromDir, entry), target]);
  }
}
