/**
 * The one way the host runs git. Git here works on repositories whose
 * contents came from the internet and were touched by sandboxed code, so it
 * runs with a minimal environment, no system/global configuration, no hooks,
 * and never prompts.
 */
import { type ChildProcess, spawn } from "node:child_process";
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

export interface PipeGitEnd {
  readonly args: readonly string[];
  readonly cwd: string;
}

/**
 * Runs `git <from.args> | git <to.args>`, the first one's stdout streamed into
 * the second's stdin (a pack from one repository indexed into another, with
 * no temporary file); `input` is the first one's stdin. Both get the
 * environment and flags of `runGit`; both are killed after `timeoutMs`.
 * Resolves when both have exited, whatever their exit codes.
 */
export async function pipeGit(
  from: PipeGitEnd & { readonly input: string },
  to: PipeGitEnd,
  options: { readonly timeoutMs?: number } = {},
): Promise<{ readonly from: GitResult; readonly to: GitResult }> {
  const env = hostGitEnv();
  const producer = spawn("git", [...HARDENING, ...from.args], { cwd: from.cwd, env, stdio: ["pipe", "pipe", "pipe"] });
  const consumer = spawn("git", [...HARDENING, ...to.args], { cwd: to.cwd, env, stdio: ["pipe", "pipe", "pipe"] });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    producer.kill("SIGKILL");
    consumer.kill("SIGKILL");
  }, options.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS);
  // A consumer that exits early must not leave the producer blocked on a full pipe, nor crash us with EPIPE.
  consumer.stdin.on("error", () => producer.kill("SIGKILL"));
  producer.stdin.on("error", () => undefined);
  producer.stdout.pipe(consumer.stdin);
  producer.stdin.end(from.input);
  const [fromResult, toResult] = await Promise.all([settle(producer, false, () => timedOut), settle(consumer, true, () => timedOut)]);
  clearTimeout(timer);
  return { from: fromResult, to: toResult };
}

/** How a spawned git process ended and what it printed (stdout only when `collectStdout`: not when piped onward). */
function settle(child: ChildProcess, collectStdout: boolean, timedOut: () => boolean): Promise<GitResult> {
  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    if (collectStdout) child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", (error) => (stderr += error.message));
    child.on("close", (code) => resolve({ exitCode: timedOut() || code === null ? -1 : code, stdout, stderr, timedOut: timedOut() }));
  });
}
