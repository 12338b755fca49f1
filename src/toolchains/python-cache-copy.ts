/**
 * Copies an interpreter the sandbox cannot see (pyenv's under /root, one
 * under /opt) once into the toolchain cache, as `<cacheRoot>/python-<version>`:
 * its executable, libpython, standard library and headers, without its
 * site-packages (setup-python's interpreters are clean too; the job's
 * packages go into its virtualenv) and without the standard library's own
 * test suite. The copy is made world-readable and read-only for everyone
 * but the worker, its library search path made `$ORIGIN`-relative
 * (`python-elf-runpath.ts`), checked to run from where it now is (prefix,
 * sys.path and libpython all inside the copy), then renamed into place with
 * a `.complete` marker: a reader never sees half an entry.
 */
import { cp, mkdir, mkdtemp, readdir, readFile, realpath, rename, rm, stat, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { runProcess } from "../workspace/run-process.ts";
import { isElf, rewriteRunpath } from "./python-elf-runpath.ts";
import type { PythonInterpreter } from "./python-interpreters.ts";
import { probePython } from "./python-interpreters.ts";
import { formatVersion } from "./python-version-spec.ts";

export const COMPLETE_MARKER = ".complete";

export type CacheCopy = { readonly hostDir: string; readonly cached: boolean } | { readonly error: string };

/** The cache entry of a non-system interpreter, copied now unless it is there already. */
export async function copyPythonIntoCache(interpreter: PythonInterpreter, cacheRoot: string): Promise<CacheCopy> {
  const version = formatVersion(interpreter.version);
  const finalDir = path.join(cacheRoot, `python-${version}`);
  if (await isComplete(finalDir)) return { hostDir: await realpath(finalDir), cached: true };
  const prefix = interpreter.prefix;
  const inside = (p: string): boolean => p.startsWith(`${prefix}/`);
  if (!inside(interpreter.executable)) return { error: `its executable ${interpreter.executable} is not inside its prefix ${prefix}` };
  const foreign = interpreter.sharedLibs.find((lib) => !inside(lib));
  if (foreign !== undefined) return { error: `it loads ${foreign}, outside its prefix ${prefix}` };
  await mkdir(cacheRoot, { recursive: true });
  const tmp = await realpath(await mkdtemp(path.join(cacheRoot, `.python-${version}-`)));
  try {
    const problem = (await copyInstallation(interpreter, tmp)) ?? (await verifyCopy(interpreter, tmp));
    if (problem !== undefined) {
      await rm(tmp, { recursive: true, force: true });
      return { error: problem };
    }
    await writeFile(path.join(tmp, COMPLETE_MARKER), `${JSON.stringify({ version, source: prefix })}\n`, { mode: 0o644 });
    await rename(tmp, finalDir).catch(async (error: unknown) => {
      // Another job copied the same version meanwhile: theirs is as good.
      if (!(await isComplete(finalDir))) throw error;
      await rm(tmp, { recursive: true, force: true });
    });
    return { hostDir: await realpath(finalDir), cached: false };
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    return { error: `copying it failed: ${(error as Error).message}` };
  }
}

async function isComplete(dir: string): Promise<boolean> {
  return (await stat(path.join(dir, COMPLETE_MARKER)).catch(() => undefined)) !== undefined;
}

/** Copies what an interpreter needs into `to`; returns a problem, or undefined. */
async function copyInstallation(interpreter: PythonInterpreter, to: string): Promise<string | undefined> {
  const from = interpreter.prefix;
  const stdlib = `python3.${interpreter.version[1]}`;
  const skipped = new Set([path.join(from, "lib", stdlib, "test")]);
  const sitePackages = path.join(from, "lib", stdlib, "site-packages");
  const filter = (source: string): boolean =>
    !skipped.has(source) && !source.startsWith(`${sitePackages}/`) && !(source.includes("/config-") && source.endsWith(".a"));
  const executable = path.basename(interpreter.executable);
  await mkdir(path.join(to, "bin"));
  await cp(interpreter.executable, path.join(to, "bin", executable));
  for (const alias of new Set([stdlib, "python3", "python"])) {
    if (alias !== executable) await symlink(executable, path.join(to, "bin", alias));
  }
  await mkdir(path.join(to, "lib"));
  for (const name of await readdir(path.join(from, "lib"))) {
    if (name.startsWith("libpython")) await cp(path.join(from, "lib", name), path.join(to, "lib", name), { verbatimSymlinks: true });
  }
  await cp(path.join(from, "lib", stdlib), path.join(to, "lib", stdlib), { recursive: true, verbatimSymlinks: true, filter });
  await mkdir(path.join(to, "lib", stdlib, "site-packages"), { recursive: true });
  const include = path.join(from, "include");
  if ((await stat(include).catch(() => undefined))?.isDirectory() === true) await cp(include, path.join(to, "include"), { recursive: true, verbatimSymlinks: true });
  for (const dir of [path.join(to, "bin"), path.join(to, "lib"), path.join(to, "lib", stdlib, "lib-dynload")]) {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (!entry.isFile()) continue;
      const file = path.join(dir, entry.name);
      const bytes = await readFile(file);
      if (!isElf(bytes)) continue;
      const rewritten = rewriteRunpath(bytes, dir, from, to);
      if ("error" in rewritten) return `${path.relative(to, file)}: ${rewritten.error}`;
      if (rewritten.changed) await writeFile(file, rewritten.bytes);
    }
  }
  // Readable (and the directories searchable) by the sandbox user; writable by nobody but the worker.
  const chmod = await runProcess({ file: "/bin/chmod", args: ["-R", "u+w,go-w,a+rX", to], cwd: "/", env: { PATH: "/usr/bin:/bin" }, timeoutMs: 60_000, outputLimitBytes: 8192 });
  return chmod.exitCode === 0 ? undefined : `chmod failed: ${chmod.output.trim()}`;
}

/** Runs the copy where it is: it must find itself there, and nothing of the original. */
async function verifyCopy(interpreter: PythonInterpreter, dir: string): Promise<string | undefined> {
  const executable = path.join(dir, "bin", path.basename(interpreter.executable));
  const report = await probePython(executable, { flags: ["-I"] });
  if (report === undefined) return "the copy does not start from its new place (a library it needs is missing)";
  const inside = (p: string): boolean => p === dir || p.startsWith(`${dir}/`);
  const outside = [report.prefix, report.base_prefix, ...report.path, ...report.libs].find((p) => !inside(p));
  if (outside !== undefined) return `the copy still uses ${outside} (it was built for a fixed prefix and cannot be relocated)`;
  if (report.version !== formatVersion(interpreter.version)) return `the copy reports version ${report.version}`;
  if (!report.ssl || !report.venv) return "the copy cannot import ssl, venv or ensurepip";
  return undefined;
}
