/**
 * When the workflow cannot be followed: `commands` from
 * `.github/patchwright.yml`, then the `test` script of package.json (installed
 * with `npm ci` when there is a lockfile, else `npm install`, only when there
 * are dependencies). This is the behaviour of the pipeline's former
 * `resolveCommands`, as plans.
 */
import { z } from "zod";
import { PLAIN_BASH } from "./resolve-shell.ts";
import type { PlannedStep, ReproductionPlan } from "./types.ts";

/** `commands` of the repository config. */
export interface ConfigCommands {
  readonly setup?: string | undefined;
  readonly test?: string | undefined;
}

/** What the fallback needs to know about the checkout (see `readPackageFacts`). */
export interface PackageFacts {
  /** package.json, parsed; null when missing or not JSON. */
  readonly manifest: unknown;
  /** Whether `package-lock.json` or `npm-shrinkwrap.json` exists (`npm ci` needs one). */
  readonly hasLockfile: boolean;
}

const Manifest = z.object({
  scripts: z.record(z.string(), z.unknown()).nullish(),
  dependencies: z.record(z.string(), z.unknown()).nullish(),
  devDependencies: z.record(z.string(), z.unknown()).nullish(),
});

export const NOT_FROM_CI = "These commands are not taken from the failed CI job, so they may differ from what CI ran.";

/** The name of the step running `commands.setup`. */
export const CONFIG_SETUP_STEP = "Setup";

/** `commands.test` (and `commands.setup`, else the npm install the manifest needs); null without `commands.test`. */
export function planFromConfig(commands: ConfigCommands, facts: PackageFacts | null): ReproductionPlan | null {
  if (!commands.test) return null;
  return fallbackPlan("config", "`commands` from `.github/patchwright.yml`", setupCommand(commands, facts), commands.test);
}

/** `npm test` when package.json has a `test` script; null otherwise. */
export function planFromPackageJson(facts: PackageFacts | null, commands: ConfigCommands = {}): ReproductionPlan | null {
  const manifest = Manifest.safeParse(facts?.manifest);
  if (!manifest.success || typeof manifest.data.scripts?.["test"] !== "string") return null;
  return fallbackPlan("package.json", "the `test` script of `package.json`", setupCommand(commands, facts), "npm test");
}

function setupCommand(commands: ConfigCommands, facts: PackageFacts | null): string | null {
  if (commands.setup) return commands.setup;
  const manifest = Manifest.safeParse(facts?.manifest);
  if (!manifest.success) return null;
  const count = Object.keys(manifest.data.dependencies ?? {}).length + Object.keys(manifest.data.devDependencies ?? {}).length;
  if (count === 0) return null;
  return facts?.hasLockfile ? "npm ci --no-audit --no-fund" : "npm install --no-audit --no-fund";
}

function fallbackPlan(source: "config" | "package.json", description: string, setup: string | null, test: string): ReproductionPlan {
  const step = (name: string, command: string, network: boolean): PlannedStep => ({ name, command, shell: PLAIN_BASH, cwd: ".", env: {}, network });
  return {
    source,
    description,
    steps: [...(setup ? [step(CONFIG_SETUP_STEP, setup, true)] : []), step("Test", test, false)],
    notes: [NOT_FROM_CI],
    exact: false,
    runnerEnv: {},
    actions: [],
    approximations: [{ step: "all steps", how: `taken from ${description}, not from the failed CI job` }],
    jobEnv: {},
    jobShell: PLAIN_BASH,
    jobCwd: ".",
  };
}
