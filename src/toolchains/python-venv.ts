/**
 * A virtualenv per job, as a Python CI job has one place to `pip install`
 * into: a writable host directory (a `ToolchainSet.jobDirs` entry) mounted
 * at `/opt/patchwright/venv`, its `bin` first on PATH and `VIRTUAL_ENV` set.
 * It is created inside the sandbox (`VENV_CREATE_COMMAND`, the setup phase's
 * first command), so every path in it (`pyvenv.cfg`'s home, the scripts'
 * shebangs) is the sandbox's. No `--system-site-packages`: setup-python's
 * interpreters are clean, so a job that passes in CI has declared everything
 * it imports; the system's packages (Debian's python3-*) would hide a
 * missing requirement, or shadow a pinned one. pip comes from the
 * interpreter's bundled wheel (ensurepip), offline.
 */
import { mkdir, readdir, realpath } from "node:fs/promises";
import { PatchwrightError } from "../errors.ts";
import { SANDBOX_PYTHON_ROOT } from "./python-provision.ts";
import type { ToolchainSet } from "./types.ts";

/** Where the job's virtualenv appears inside the sandbox. */
export const SANDBOX_VENV = `${SANDBOX_PYTHON_ROOT}/venv`;

/**
 * Creates the virtualenv in the mounted directory with the job's `python3`
 * (the venv's own bin, first on PATH, is still empty then). Quoted through
 * `VIRTUAL_ENV`, so it names the host directory when there is no isolation.
 */
export const VENV_CREATE_COMMAND = 'python3 -m venv "$VIRTUAL_ENV"';

/** Quiet, non-interactive pip, as in CI: no version nag, never a prompt. */
export const PIP_QUIET_ENV: Readonly<Record<string, string>> = { PIP_DISABLE_PIP_VERSION_CHECK: "1", PIP_NO_INPUT: "1" };

export type JobVirtualenv = Required<Pick<ToolchainSet, "jobDirs" | "env">>;

/**
 * Prepares the job's virtualenv directory on the host (created empty).
 * @param hostDir a per-job directory outside the workspace (removed with the job).
 * @throws PatchwrightError `internal` when `hostDir` exists and is not empty.
 */
export async function prepareJobVirtualenv(hostDir: string): Promise<JobVirtualenv> {
  await mkdir(hostDir, { recursive: true, mode: 0o755 });
  if ((await readdir(hostDir)).length > 0) {
    throw new PatchwrightError("internal", `The job's virtualenv directory ${hostDir} is not empty; give every job a new one.`);
  }
  return {
    jobDirs: [{ hostDir: await realpath(hostDir), sandboxDir: SANDBOX_VENV, binDirs: ["bin"] }],
    env: { VIRTUAL_ENV: SANDBOX_VENV, ...PIP_QUIET_ENV },
  };
}
