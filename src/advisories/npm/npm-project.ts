import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { resolveInJail } from "../../security/path-jail.ts";
import type { PackageJson } from "./edit-manifest.ts";
import { detectPackageManager, LOCKFILES, type PackageManager } from "./package-managers.ts";

/** One npm project of the checkout: the directory of the alert's manifest, its package.json and lockfile. */
export interface NpmProject {
  /** Repository-relative directory (`.` for the root): the sandbox cwd. */
  readonly dir: string;
  /** Repository-relative paths. */
  readonly manifest: string;
  readonly lockfile: string;
  readonly manager: PackageManager;
}

/**
 * Finds the project an alert is about: `manifest_path` is its package.json or
 * its lockfile. Every path goes through the workspace's path jail: repository
 * content decides these files, and a symlink must not reach the host.
 */
export async function openNpmProject(root: string, manifestPath: string): Promise<NpmProject | { unsupported: string }> {
  const dir = path.posix.dirname(manifestPath.replaceAll("\\", "/"));
  const manifest = path.posix.join(dir, "package.json");
  const pkgText = await readProjectFile(root, manifest).catch(() => null);
  if (pkgText === null) return { unsupported: `there is no readable \`${manifest}\` next to \`${manifestPath}\`` };
  let pkg: PackageJson;
  try {
    pkg = JSON.parse(pkgText) as PackageJson;
  } catch {
    return { unsupported: `\`${manifest}\` is not valid JSON` };
  }
  for (const name of LOCKFILES) {
    const lockfile = path.posix.join(dir, name);
    const lockText = await readProjectFile(root, lockfile).catch(() => null);
    if (lockText === null) continue;
    const manager = detectPackageManager(name, lockText, pkg);
    if (manager) return { dir, manifest, lockfile, manager };
  }
  return {
    unsupported: `\`${dir === "." ? "the repository root" : dir}\` has no lockfile (package-lock.json, pnpm-lock.yaml or yarn.lock): Patchwright upgrades only projects whose versions are pinned, so the result can be checked`,
  };
}

/** Reads a repository-relative file inside the checkout. @throws Error when the path leaves it or is missing. */
export async function readProjectFile(root: string, relative: string): Promise<string> {
  return readFile(await jailed(root, relative), "utf8");
}

export async function writeProjectFile(root: string, relative: string, text: string): Promise<void> {
  await writeFile(await jailed(root, relative), text);
}

async function jailed(root: string, relative: string): Promise<string> {
  const jail = await resolveInJail(root, relative);
  if (!jail.ok) throw new Error(jail.reason);
  return jail.absolute;
}
