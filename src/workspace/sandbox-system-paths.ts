/** The read-only system a sandbox sees: the host's program and library directories, part of /etc, and generated /etc files. */
import { lstat, readdir, readlink } from "node:fs/promises";
import type { SystemPath } from "./build-bwrap-args.ts";
import { ETC_ALLOWLIST, SYSTEM_DIRS } from "./sandbox-paths.ts";
import { GENERATED_ETC, generatedEtcPath } from "./sandbox-staging.ts";

/**
 * The system paths of this host: `SYSTEM_DIRS` and the `ETC_ALLOWLIST`
 * entries that exist (symlinks stay symlinks: merged /usr, /etc/localtime),
 * then the generated /etc files.
 */
export async function describeSystemPaths(): Promise<SystemPath[]> {
  const etcNames = await readdir("/etc").catch(() => [] as string[]);
  const allowed = (name: string): boolean => ETC_ALLOWLIST.some((glob) => (glob.endsWith("*") ? name.startsWith(glob.slice(0, -1)) : name === glob));
  const etc = etcNames.filter((name) => !(name in GENERATED_ETC) && allowed(name)).sort();
  const described: SystemPath[] = [];
  for (const p of [...SYSTEM_DIRS, ...etc.map((name) => `/etc/${name}`)]) {
    const info = await lstat(p).catch(() => undefined);
    if (info === undefined) continue;
    if (info.isSymbolicLink()) described.push({ path: p, kind: "symlink", target: await readlink(p) });
    else if (info.isDirectory()) described.push({ path: p, kind: "dir" });
    else if (info.isFile()) described.push({ path: p, kind: "file" });
  }
  for (const name of Object.keys(GENERATED_ETC)) described.push({ path: `/etc/${name}`, kind: "file", source: generatedEtcPath(name) });
  return described;
}
