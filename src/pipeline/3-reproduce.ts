import type { RepoConfig } from "../config/repo-config.ts";
import { PatchwrightError } from "../errors.ts";
import type { CommandResult, Sandbox } from "../workspace/types.ts";
import { access, readFile } from "node:fs/promises";
import path from "node:path";

export interface Commands {
  setup: string | null;
  test: string;
}

export interface Reproduction {
  commands: Commands;
  setup: CommandResult | null;
  test: CommandResult;
}

const SETUP_TIMEOUT_MS = 10 * 60_000;
const TEST_TIMEOUT_MS = 10 * 60_000;

/**
 * The commands that reproduce the failure: `commands` from the repository
 * config, else the `test` script of package.json (installed with the lockfile's
 * package manager when there are dependencies).
 */
export async function resolveCommands(dir: string, config: RepoConfig): Promise<Commands> {
  const pkg = await readPackageJson(dir);
  const test = config.commands.test ?? (pkg?.scripts?.["test"] ? "npm test" : null);
  if (!test) {
    throw new PatchwrightError(
      "no_test_command",
      "No test command: set `commands.test` in .github/patchwright.yml, or add a `test` script to package.json.",
    );
  }
  let setup = config.commands.setup ?? null;
  if (setup === null && pkg && hasDependencies(pkg)) {
    setup = (await exists(path.join(dir, "package-lock.json"))) ? "npm ci --no-audit --no-fund" : "npm install --no-audit --no-fund";
  }
  return { setup, test };
}

/** Runs setup (the only phase with network) then the test command, in the sandbox. */
export async function reproduce(sandbox: Sandbox, commands: Commands): Promise<Reproduction> {
  let setup: CommandResult | null = null;
  if (commands.setup) {
    setup = await sandbox.run(commands.setup, { network: true, timeoutMs: SETUP_TIMEOUT_MS });
    if (setup.exitCode !== 0) return { commands, setup, test: setup };
  }
  const test = await runTests(sandbox, commands);
  return { commands, setup, test };
}

export function runTests(sandbox: Sandbox, commands: Commands): Promise<CommandResult> {
  return sandbox.run(commands.test, { network: false, timeoutMs: TEST_TIMEOUT_MS });
}

interface PackageJson {
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

async function readPackageJson(dir: string): Promise<PackageJson | null> {
  try {
    return JSON.parse(await readFile(path.join(dir, "package.json"), "utf8")) as PackageJson;
  } catch {
    return null;
  }
}

function hasDependencies(pkg: PackageJson): boolean {
  return Object.keys(pkg.dependencies ?? {}).length + Object.keys(pkg.devDependencies ?? {}).length > 0;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
