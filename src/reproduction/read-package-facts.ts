/** Reads what the package.json fallback needs from a checkout on the host. */
import { access, readFile } from "node:fs/promises";
import path from "node:path";
import type { PackageFacts } from "./plan-fallback.ts";

/** package.json (parsed, or null) and whether an npm lockfile exists, in `dir`. Never throws. */
export async function readPackageFacts(dir: string): Promise<PackageFacts> {
  const manifest = await readFile(path.join(dir, "package.json"), "utf8")
    .then((text) => JSON.parse(text) as unknown)
    .catch(() => null);
  const lockfiles = await Promise.all(["package-lock.json", "npm-shrinkwrap.json"].map((name) => exists(path.join(dir, name))));
  return { manifest, hasLockfile: lockfiles.some(Boolean) };
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
