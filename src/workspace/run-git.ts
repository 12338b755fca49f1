/**
 * The one way the host runs git. Git here works on repositories whose
 * contents came from the internet and were touched by sandboxed code, so it
 * runs with a minimal environment, no system/global configuration, no hooks,
 * and never prompts.
 */
import type { Readable } from "node:stream";
import { execa } from "execa";
import { configuredHostGitEnv, type GitHostEnv } from "./host-git-env.ts";

export interface RunGitOptions {
  /** Repository (or any) directory to run in. */
  readonly cwd?: string;
  /** Extra variables for this one process only (authentication, author). */
  readonly env?: Readonly<Record<string, string>>;
  /** Standard input (for example a commit message). */
  readonly input?: string;
  /** Standard input as a stream (a pack read from a file), instead of `input`. */
  readonly inputStream?: Readable;
  /** Kill git after this long. Default 10 minutes. */
  readonly timeoutMs?: number;
}

export interface GitResult {
  /** Exit code; -1 when git could not be started or was killed by the timeout. */
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

const DEFAULT_GIT_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * Flags before every subcommand: repository-controlled hooks and fsmonitor
 * would be code execution on the host, so they are off whatever the
 * repository's config says.
 */
const HARDENING = ["-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false", "-c", "credential.helper="];

/**
 * The base environment of every host git process: the passthrough variables
 * (`host-git-env.ts`; by default those configured at start-up) and settings
 * that keep the operator's git configuration and prompts out. Exported for tests.
 */
export function hostGitEnv(passthrough: GitHostEnv = configuredHostGitEnv()): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(passthrough)) if (value !== undefined) env[name] = value;
  return {
    ...env,
    // No ~/.gitconfig, /etc/gitconfig or ~/.config/git: the operator's
    // credential helpers and settings must not apply to untrusted repositories.
    HOME: "/nonexistent",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
    // Messages in English, so callers can match on them.
    LANG: "C",
    LC_ALL: "C",
  };
}

/** Runs `git <args>`; resolves for every exit code (check `exitCode`). */
export async function runGit(args: readonly string[], options: RunGitOptions = {}): Promise<GitResult> {
  const result = await execa("git", [...HARDENING, ...args], {
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    env: { ...hostGitEnv(), ...options.env },
    extendEnv: false,
    reject: false,
    ...(options.inputStream !== undefined ? { stdin: options.inputStream } : options.input === undefined ? { stdin: "ignore" as const } : { input: options.input }),
    timeout: options.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS,
    stripFinalNewline: false,
  });
  return {
    exitCode: result.exitCode ?? -1,
    stdout: typeof result.stdout === "string" ? result.stdout : "",
    stderr: typeof result.stderr === "string" ? result.stderr : (result.originalMessage ?? ""),
    timedOut: result.timedOut,
  };
}
