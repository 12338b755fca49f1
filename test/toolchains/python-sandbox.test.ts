import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePytest } from "../../src/reproduction/parse-pytest.ts";
import { pythonIndexEnv } from "../../src/toolchains/python-index-env.ts";
import { findPythonInterpreters, type PythonInterpreter } from "../../src/toolchains/python-interpreters.ts";
import { provisionPython } from "../../src/toolchains/python-provision.ts";
import { formatVersion } from "../../src/toolchains/python-version-spec.ts";
import { prepareJobVirtualenv, SANDBOX_VENV, VENV_CREATE_COMMAND } from "../../src/toolchains/python-venv.ts";
import type { ProvisionedTool } from "../../src/toolchains/types.ts";
import { withToolchains } from "../../src/toolchains/with-toolchains.ts";
import { createSandbox } from "../../src/workspace/create-sandbox.ts";
import { runProcess } from "../../src/workspace/run-process.ts";
import { buildWheel, repackInstalledWheels, startPythonIndex } from "../support/python-index.ts";
import { tempDir } from "../workspace/helpers.ts";

/** pyenv's installations, when this machine has them (this worker's kind does; a fresh one may not). */
const PYENV_VERSIONS = "/root/.pyenv/versions";
/** The system Python every Debian worker has; the tests need python3-venv, and python3-pytest to make wheels without pyenv. */
const SYSTEM_PYTHON = "/usr/bin/python3";

/**
 * A CPython installation outside the system directories, as an operator
 * would list in PATCHWRIGHT_PYTHON_DIRS: pyenv's versions when there are any,
 * else a copy of the system's interpreter and standard library under a
 * directory of the test's (what a hand-built /opt/python-3.X looks like).
 */
async function operatorDirs(scratch: string): Promise<string[]> {
  if (existsSync(PYENV_VERSIONS)) return [PYENV_VERSIONS];
  const root = path.join(scratch, "versions");
  const system = (await findPythonInterpreters()).find((i) => i.system && i.unusable === undefined);
  if (system === undefined) throw new Error("no usable system Python; apt-get install python3 python3-venv");
  const minor = `python3.${system.version[1]}`;
  const install = path.join(root, formatVersion(system.version));
  await mkdir(path.join(install, "bin"), { recursive: true });
  await cp(system.executable, path.join(install, "bin", minor));
  await cp(path.join(system.prefix, "lib", minor), path.join(install, "lib", minor), { recursive: true, verbatimSymlinks: true });
  return [root];
}

/** A host interpreter that has pytest installed (pyenv's 3.11, or Debian's python3-pytest), matching `version`'s minor. */
async function pythonWithPytest(interpreters: readonly PythonInterpreter[], minor: number): Promise<string> {
  for (const candidate of interpreters.filter((i) => i.version[1] === minor)) {
    const probe = await runProcess({ file: candidate.executable, args: ["-I", "-c", "import pytest"], cwd: "/", env: {}, timeoutMs: 30_000, outputLimitBytes: 4096 });
    if (probe.exitCode === 0) return candidate.executable;
  }
  throw new Error(`no Python 3.${minor} with pytest on this machine; apt-get install python3-pytest`);
}

describe("Python toolchain in the sandbox (host interpreters, job virtualenv, pip through the registry proxy)", () => {
  let interpreters: PythonInterpreter[];
  let foreign: PythonInterpreter;
  let cacheRoot: string;
  let wheels: string[];
  // For the whole file (tempDir's are removed after each test): the cache and the wheels are made once.
  let scratch: string;
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), "pw-python-"));
    interpreters = await findPythonInterpreters({ extraDirs: await operatorDirs(scratch) });
    const candidates = interpreters.filter((i) => !i.system && i.unusable === undefined);
    // The newest non-system interpreter that pytest wheels can be made for: same minor as one with pytest.
    const withPytest = new Set<number>();
    for (const i of interpreters) if (await pythonWithPytest([i], i.version[1]).then(() => true, () => false)) withPytest.add(i.version[1]);
    const chosen = candidates.find((i) => withPytest.has(i.version[1]));
    if (chosen === undefined) throw new Error("no relocatable Python next to a pytest of the same minor version");
    foreign = chosen;
    cacheRoot = path.join(scratch, "cache");
    const wheelDir = path.join(scratch, "wheels");
    await mkdir(wheelDir);
    wheels = await repackInstalledWheels(await pythonWithPytest(interpreters, foreign.version[1]), wheelDir, ["pytest"]);
    wheels.push(
      await buildWheel(SYSTEM_PYTHON, wheelDir, { name: "calc-helpers", version: "1.0", files: { "calc_helpers/__init__.py": "def add(a, b):\n    return a - b\n" } }),
    );
  }, 300_000);

  it("finds the host's interpreters with their exact versions, the system's and the operator's", () => {
    const system = interpreters.find((i) => i.executable.startsWith("/usr/bin/"));
    expect(system?.system).toBe(true);
    expect(foreign.system).toBe(false);
    expect(foreign.executable.startsWith("/usr/")).toBe(false);
    expect(formatVersion(foreign.version)).toMatch(/^3\.\d+\.\d+$/);
  });

  it("says what is missing, and what to set, when nothing matches", async () => {
    const result = await provisionPython({ tool: "python", spec: "3.99", source: "actions/setup-python python-version" }, { cacheRoot, interpreters });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.missing.reason).toMatch(/^No Python on this worker matches 3\.99 \(it has .*3\.\d+\.\d+/);
    expect(result.missing.advice).toContain("PATCHWRIGHT_PYTHON_DIRS");
    expect(result.missing.advice).toContain("commands.setup");
  });

  it("gives a system interpreter a directory of symlinks (python, python3, python3.X), nothing copied", async () => {
    const system = interpreters.find((i) => i.system && i.unusable === undefined);
    if (system === undefined) throw new Error("no usable system Python; apt-get install python3-venv");
    const version = formatVersion(system.version);
    const result = await provisionPython({ tool: "python", spec: version, source: "test" }, { cacheRoot, interpreters: [system] });
    if (!result.ok) throw new Error(result.missing.reason);
    expect(path.basename(result.tool.hostDir)).toMatch(new RegExp(`^python-${version.replace(/\./g, "\\.")}-system-[0-9a-f]{8}$`));
    const sandbox = withToolchains(await createSandbox({ root: await tempDir() }), { tools: [result.tool] });
    const run = await sandbox.run(`python --version; python3.${system.version[1]} -c 'import sys; print(sys.prefix)'`);
    expect(run.output).toBe(`Python ${version}\n${system.prefix}\n`);
  });

  async function provisionForeign(): Promise<ProvisionedTool> {
    const version = formatVersion(foreign.version);
    // Only the non-system ones: the system's of the same version would win (nothing to copy).
    const result = await provisionPython({ tool: "python", spec: version, source: "test" }, { cacheRoot, interpreters: interpreters.filter((i) => !i.system) });
    if (!result.ok) throw new Error(result.missing.reason);
    return result.tool;
  }

  it("copies a non-system interpreter into the cache once; it runs at /opt/patchwright/python-<version> in the sandbox", { timeout: 300_000 }, async () => {
    const tool = await provisionForeign();
    const version = formatVersion(foreign.version);
    expect(tool).toMatchObject({ tool: "python", version, sandboxDir: `/opt/patchwright/python-${version}`, binDirs: ["bin"], cached: false });
    expect(tool.hostDir).toBe(path.join(cacheRoot, `python-${version}`));
    expect(JSON.parse(await readFile(path.join(tool.hostDir, ".complete"), "utf8"))).toMatchObject({ version, source: foreign.prefix });
    // World-readable, writable by the worker only; no third-party packages came along.
    expect((await stat(tool.hostDir)).mode & 0o777).toBe(0o755);
    expect(existsSync(path.join(tool.hostDir, "lib", `python3.${foreign.version[1]}`, "site-packages", "pytest"))).toBe(false);
    expect((await provisionForeign()).cached).toBe(true);

    const sandbox = withToolchains(await createSandbox({ root: await tempDir() }), { tools: [tool] });
    const result = await sandbox.run(
      "command -v python python3; python -c 'import sys, ssl, sqlite3; print(sys.version.split()[0], sys.prefix, sys.executable)'; " +
        "python -c \"print(sorted({l.split()[-1] for l in open('/proc/self/maps') if 'libpython' in l}))\"; ls /root 2>&1 >/dev/null | wc -l",
    );
    expect(result.exitCode).toBe(0);
    const dir = tool.sandboxDir;
    expect(result.output).toContain(`${dir}/bin/python\n${dir}/bin/python3\n`);
    expect(result.output).toContain(`${version} ${dir} ${dir}/bin/python`);
    // A shared build loads its own libpython (the system's of the same minor would be a silent mismatch).
    if (foreign.sharedLibs.length > 0) expect(result.output).toMatch(new RegExp(`\\['${dir}/lib/libpython3\\.\\d+\\S*\\.so[.\\d]*'\\]`));
    else expect(result.output).toContain("[]\n");
  });

  it("creates the job's virtualenv in the sandbox, installs requirements from the allowed index only, and runs pytest", { timeout: 300_000 }, async () => {
    const tool = await provisionForeign();
    const index = await startPythonIndex(wheels);
    const other = await startPythonIndex(wheels);
    try {
      const venv = await prepareJobVirtualenv(path.join(await tempDir("pw-job-"), "venv"));
      const fromIndex = pythonIndexEnv(index.url);
      const root = await tempDir();
      // Nothing allowed but what the job's toolchain set adds: the index.
      const sandbox = withToolchains(await createSandbox({ root, setupNetwork: { mode: "registries", allowedHosts: [] } }), {
        tools: [tool],
        jobDirs: venv.jobDirs,
        env: { ...venv.env, ...fromIndex.env },
        setupHosts: [fromIndex.allowedHost],
      });
      expect((await sandbox.run(VENV_CREATE_COMMAND)).exitCode).toBe(0);
      const where = await sandbox.run('python -c "import sys; print(sys.prefix, sys.base_prefix)"; command -v pip; echo "$VIRTUAL_ENV"');
      expect(where.output).toBe(`${SANDBOX_VENV} ${tool.sandboxDir}\n${SANDBOX_VENV}/bin/pip\n${SANDBOX_VENV}\n`);
      expect(await readFile(path.join(venv.jobDirs[0]?.hostDir ?? "", "pyvenv.cfg"), "utf8")).toContain(`home = ${tool.sandboxDir}/bin`);

      await writeFile(path.join(root, "requirements.txt"), "pytest\ncalc-helpers==1.0\n");
      await mkdir(path.join(root, "tests"));
      await writeFile(
        path.join(root, "tests", "test_calc.py"),
        "from calc_helpers import add\n\ndef test_add():\n    assert add(2, 3) == 5\n\ndef test_zero():\n    assert add(0, 0) == 0\n",
      );
      const install = await sandbox.run("pip install -r requirements.txt", { network: true, timeoutMs: 240_000 });
      expect(install.output).toMatch(/Successfully installed .*calc-helpers-1\.0.*pytest-/s);
      expect(install.exitCode).toBe(0);
      expect(index.requests).toEqual(expect.arrayContaining(["/simple/pytest/", "/simple/calc-helpers/"]));

      const tests = await sandbox.run("pytest -v tests");
      expect(tests.exitCode).toBe(1);
      const report = parsePytest(tests.output);
      expect(report?.counts).toEqual({ passed: 1, failed: 1, skipped: 0 });
      expect(report?.tests.get("tests/test_calc.py::test_add")).toBe("failed");
      expect(report?.tests.get("tests/test_calc.py::test_zero")).toBe("passed");

      // An index the setup network does not allow: pip fails, and the output names the refused host.
      const refused = await sandbox.run(`pip install --retries 0 --timeout 10 --force-reinstall --no-deps --index-url ${other.url} calc-helpers`, { network: true });
      expect(refused.exitCode).not.toBe(0);
      expect(refused.output).toContain(`[patchwright: the setup network refused ${other.hostPort}: not an allowed package registry]`);
      expect(other.requests).toEqual([]);
    } finally {
      await index.close();
      await other.close();
    }
  });
});
