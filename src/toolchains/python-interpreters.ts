/**
 * The CPython interpreters this host has: `python3` and `python3.X` in the
 * system directories, on the worker's PATH, and in the operator's
 * directories (PATCHWRIGHT_PYTHON_DIRS: a bin directory, or a directory of
 * installations such as pyenv's `versions`, whose `*\/bin` are searched).
 * Each is asked for its exact version and what it was built with.
 */
import { readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { runProcess } from "../workspace/run-process.ts";
import { SYSTEM_DIRS } from "../workspace/sandbox-paths.ts";
import { parsePythonVersion, type PythonVersion } from "./python-version-spec.ts";

export interface PythonInterpreter {
  /** Canonical host path of the executable (symlinks resolved). */
  readonly executable: string;
  readonly version: PythonVersion;
  /** `sys.base_prefix`: the installation's root (`/usr`, `~/.pyenv/versions/3.11.7`). */
  readonly prefix: string;
  /** libpython files the running interpreter mapped (a `--enable-shared` build), canonical. */
  readonly sharedLibs: readonly string[];
  /** Visible as it is inside the sandbox: the executable, its prefix and its libpython are under the system directories. */
  readonly system: boolean;
  /** What keeps it from serving a job (no ssl, no venv/ensurepip), or undefined. */
  readonly unusable?: string;
}

export interface FindPythonOptions {
  /** The worker's PATH (`process.env.PATH`): its directories are searched too. */
  readonly searchPath?: string;
  /** The operator's directories (PATCHWRIGHT_PYTHON_DIRS): each, and each `<dir>/*\/bin`. */
  readonly extraDirs?: readonly string[];
  /** Per interpreter. Default 15 s. */
  readonly timeoutMs?: number;
}

const STANDARD_DIRS = ["/usr/bin", "/usr/local/bin"];
const NAME = /^python3(\.\d+)?$/;

/**
 * Runs under `-I -S` (no environment, no site) and under Python 3.6 too:
 * its version, prefix, the libpython it loaded and whether it can make a
 * virtualenv with pip and talk HTTPS.
 */
export const PROBE_SCRIPT = [
  "import json, sys",
  "def has(name):",
  "    try:",
  "        __import__(name)",
  "        return True",
  "    except Exception:",
  "        return False",
  "libs = sorted(set(line.split()[-1] for line in open('/proc/self/maps') if 'libpython' in line and '/' in line))",
  "print(json.dumps({'version': '%d.%d.%d' % sys.version_info[:3], 'level': sys.version_info.releaselevel,",
  "    'impl': sys.implementation.name, 'prefix': sys.prefix, 'base_prefix': getattr(sys, 'base_prefix', sys.prefix),",
  "    'path': sys.path, 'libs': libs, 'ssl': has('ssl'), 'venv': has('venv') and has('ensurepip')}))",
].join("\n");

export interface ProbeReport {
  readonly version: string;
  readonly level: string;
  readonly impl: string;
  readonly prefix: string;
  readonly base_prefix: string;
  readonly path: readonly string[];
  readonly libs: readonly string[];
  readonly ssl: boolean;
  readonly venv: boolean;
}

/** Runs `executable` on the probe script; undefined when it does not run or answer. */
export async function probePython(executable: string, options: { timeoutMs?: number; flags?: readonly string[] } = {}): Promise<ProbeReport | undefined> {
  const result = await runProcess({
    file: executable,
    args: [...(options.flags ?? ["-I", "-S"]), "-c", PROBE_SCRIPT],
    cwd: "/",
    env: { LC_ALL: "C.UTF-8" },
    timeoutMs: options.timeoutMs ?? 15_000,
    outputLimitBytes: 64 * 1024,
  }).catch(() => undefined);
  if (result?.exitCode !== 0) return undefined;
  try {
    return JSON.parse(result.output.trim().split("\n").at(-1) ?? "") as ProbeReport;
  } catch {
    return undefined;
  }
}

/** Every usable-or-not CPython 3 of the host, newest first, one per executable. */
export async function findPythonInterpreters(options: FindPythonOptions = {}): Promise<PythonInterpreter[]> {
  const dirs = [...STANDARD_DIRS, ...(options.searchPath ?? "").split(":").filter((dir) => path.isAbsolute(dir))];
  for (const dir of options.extraDirs ?? []) {
    dirs.push(dir);
    const children = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const child of children.sort((a, b) => a.name.localeCompare(b.name))) {
      if (child.isDirectory() || child.isSymbolicLink()) dirs.push(path.join(dir, child.name, "bin"));
    }
  }
  const executables = new Set<string>();
  for (const dir of new Set(dirs)) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names.filter((n) => NAME.test(n)).sort()) {
      const real = await realpath(path.join(dir, name)).catch(() => undefined);
      if (real !== undefined && (await isExecutableFile(real))) executables.add(real);
    }
  }
  const found = await Promise.all([...executables].map((executable) => describe(executable, options.timeoutMs)));
  return found.filter((interpreter): interpreter is PythonInterpreter => interpreter !== undefined).sort((a, b) => compareNewestFirst(a, b));
}

async function describe(executable: string, timeoutMs: number | undefined): Promise<PythonInterpreter | undefined> {
  const report = await probePython(executable, timeoutMs === undefined ? {} : { timeoutMs });
  const version = report === undefined ? undefined : parsePythonVersion(report.version);
  if (report === undefined || version === undefined || report.impl !== "cpython" || report.level !== "final") return undefined;
  const prefix = await realpath(report.base_prefix).catch(() => report.base_prefix);
  const sharedLibs = await Promise.all(report.libs.map((lib) => realpath(lib).catch(() => lib)));
  const system = [executable, prefix, ...sharedLibs].every(isSystemPath);
  const minor = `python3.${version[1]}`;
  const unusable = !report.venv
    ? `it has no venv/ensurepip module (Debian: apt-get install ${minor}-venv)`
    : !report.ssl
      ? "it was built without the ssl module, so pip cannot reach an HTTPS index"
      : undefined;
  return { executable, version, prefix, sharedLibs, system, ...(unusable === undefined ? {} : { unusable }) };
}

function isSystemPath(p: string): boolean {
  return SYSTEM_DIRS.some((dir) => p === dir || p.startsWith(`${dir}/`));
}

async function isExecutableFile(p: string): Promise<boolean> {
  const info = await stat(p).catch(() => undefined);
  return info !== undefined && info.isFile() && (info.mode & 0o111) !== 0;
}

/** Newest first; for one version the system's own first (nothing to copy). */
function compareNewestFirst(a: PythonInterpreter, b: PythonInterpreter): number {
  return b.version[0] - a.version[0] || b.version[1] - a.version[1] || b.version[2] - a.version[2] || Number(b.system) - Number(a.system);
}
