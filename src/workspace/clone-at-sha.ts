/**
 * Clones a repository at exactly one commit into a fresh directory: init,
 * fetch that sha (protocol v2 allows fetching any reachable commit, as GitHub
 * does), detach HEAD at it. Servers that refuse unadvertised objects (v0)
 * get a fallback fetch of all branches and tags. `fetchCommit` is the fetch
 * step alone, shared with the repository cache (`mirror-refresh.ts`).
 */
import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { PatchwrightError } from "../errors.ts";
import { redact as redactKnownShapes } from "../security/redact.ts";
import { createGitRedactor, gitAuthEnv, publicCloneUrl } from "./git-auth-env.ts";
import { type GitResult, runGit } from "./run-git.ts";

export interface CloneAtShaOptions {
  /** https URL of the repository; credentials in it are ignored and never stored. */
  readonly cloneUrl: string;
  /** Full 40 (or 64) hex commit sha. */
  readonly sha: string;
  /** Installation token, sent only in the environment of the fetching git process. */
  readonly token: string;
  /** Target directory: missing or empty. */
  readonly dir: string;
  /** History depth to fetch; default 1 (enough to build, test, commit and push). 0 = full history. */
  readonly depth?: number;
  /** Per git command. Default 10 minutes. */
  readonly timeoutMs?: number;
}

export interface CloneResult {
  readonly dir: string;
  readonly sha: string;
  /** `sha`: fetched the commit directly; `all-refs`: the server needed the fallback. */
  readonly fetchedBy: "sha" | "all-refs";
}

/** Throws the step's `clone_failed` error (see `gitFailure`). */
export type GitFailure = (step: string, result: GitResult, retryable?: boolean) => never;

/** Errors of a by-sha fetch that mean "this server will not serve a bare sha", so a full fetch may help. */
const UNADVERTISED = /unadvertised object|not our ref|couldn't find remote ref|no such remote ref/i;

/**
 * Clones `cloneUrl` at `sha` into `dir`; the remote `origin` is the URL without credentials.
 * @throws PatchwrightError `clone_failed` (token redacted); not retryable when the
 *   sha or URL is invalid or the commit does not exist on the server.
 */
export async function cloneAtSha(options: CloneAtShaOptions): Promise<CloneResult> {
  const { dir, sha, token } = options;
  assertFullSha(sha);
  const remoteUrl = publicCloneUrl(options.cloneUrl);
  await assertEmptyDir(dir);
  const timeout = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  const local = { cwd: dir, ...timeout };
  const fail = gitFailure(`Cloning ${remoteUrl} at ${sha}`, token);

  try {
    // An empty template: no sample hooks, nothing the repository did not bring.
    const init = await runGit(["init", "--quiet", "--template=", dir], timeout);
    if (init.exitCode !== 0) fail("git init", init, false);
    const remote = await runGit(["remote", "add", "origin", remoteUrl], local);
    if (remote.exitCode !== 0) fail("git remote add", remote, false);

    const fetchedBy = await fetchCommit({ gitDir: dir, remoteUrl, sha, token, depth: options.depth ?? 1, fail, ...timeout });
    await detachAt(dir, sha, fail, timeout);
    return { dir, sha, fetchedBy };
  } catch (error) {
    // Leave the directory as we found it (empty), so a retry can reuse it.
    await emptyDir(dir);
    throw error;
  }
}

export interface FetchCommitOptions {
  /** Repository (bare or not) to fetch into. */
  readonly gitDir: string;
  /** Credential-free URL (`publicCloneUrl`). */
  readonly remoteUrl: string;
  readonly sha: string;
  readonly token: string;
  /** History depth; 0 = full history. */
  readonly depth: number;
  /** A ref to point at the commit once fetched (the cache's keep refs). */
  readonly keepRef?: string;
  readonly fail: GitFailure;
  readonly timeoutMs?: number;
}

/**
 * Fetches `sha` (and its history to `depth`) from `remoteUrl` into `gitDir`:
 * by sha first, all branches and tags when the server refuses a bare sha.
 * Only `git fetch` sees the token, through its environment.
 * @returns how the commit was obtained.
 */
export async function fetchCommit(options: FetchCommitOptions): Promise<CloneResult["fetchedBy"]> {
  const { gitDir, remoteUrl, sha, fail } = options;
  const timeout = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  const authed = { cwd: gitDir, ...timeout, env: gitAuthEnv(remoteUrl, options.token) };
  const depthArgs = options.depth > 0 ? [`--depth=${options.depth}`] : [];
  const { keepRef } = options;
  // `--no-tags` and an exact sha: git skips listing the server's refs altogether.
  const bySha = await runGit(
    ["fetch", "--quiet", "--no-tags", ...depthArgs, remoteUrl, keepRef === undefined ? sha : `+${sha}:${keepRef}`],
    authed,
  );
  if (bySha.exitCode === 0) return "sha";
  if (!UNADVERTISED.test(bySha.stderr)) fail("git fetch", bySha);
  const all = await runGit(["fetch", "--quiet", "--tags", remoteUrl, "+refs/heads/*:refs/remotes/origin/*"], authed);
  if (all.exitCode !== 0) fail("git fetch of all branches", all);
  const local = { cwd: gitDir, ...timeout };
  const present = await runGit(["cat-file", "-e", `${sha}^{commit}`], local);
  if (present.exitCode !== 0) fail("commit lookup", { ...present, stderr: "no branch or tag contains this commit" }, false);
  if (keepRef !== undefined) {
    const keep = await runGit(["update-ref", keepRef, sha], local);
    if (keep.exitCode !== 0) fail("git update-ref", keep, false);
  }
  return "all-refs";
}

/** Checks out `sha` on a detached HEAD in `dir` (a fresh clone, `.git` a directory) and verifies HEAD. */
export async function detachAt(dir: string, sha: string, fail: GitFailure, timeout: { timeoutMs?: number } = {}): Promise<void> {
  const checkout = await runGit(["-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", sha], { cwd: dir, ...timeout });
  if (checkout.exitCode !== 0) fail("git checkout", checkout, false);
  // A detached HEAD is the sha itself in .git/HEAD: read it rather than start one more git.
  const head = (await readFile(path.join(dir, ".git", "HEAD"), "utf8").catch(() => "")).trim();
  if (head !== sha) fail("HEAD check", { exitCode: 0, stdout: "", stderr: `HEAD is ${head || "unreadable"}`, timedOut: false }, false);
}

/**
 * @throws PatchwrightError `clone_failed` (not retryable) unless `sha` is a full commit sha.
 */
export function assertFullSha(sha: string): void {
  if (!/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(sha)) {
    throw new PatchwrightError("clone_failed", `"${sha}" is not a full commit sha; pass the 40-hex head_sha from the event.`, {
      retryable: false,
    });
  }
}

/**
 * The failure of one git step while getting a repository: a `clone_failed`
 * error starting with `what`, saying what to do, with the token redacted.
 */
export function gitFailure(what: string, token?: string): GitFailure {
  const redact = token === undefined ? redactKnownShapes : createGitRedactor(token);
  return (step, result, retryable) => {
    throw new PatchwrightError(
      "clone_failed",
      redact(`${what} failed (${step}): ${describe(result)}. ${hint(result)}`),
      retryable === undefined ? {} : { retryable },
    );
  };
}

/** What the reader should do about a failed git step. */
function hint(result: GitResult): string {
  if (/could not read Username|Authentication failed|HTTP 40[13]/i.test(result.stderr)) {
    return "The server rejected the installation token: check that the app is installed on this repository with contents:read, and mint a fresh token.";
  }
  return "Check that the repository is reachable from the worker and that the commit still exists (a force-push may have removed it).";
}

function describe(result: GitResult): string {
  if (result.timedOut) return "git timed out";
  const text = result.stderr.trim().split("\n").slice(-5).join(" | ");
  return text || `git exited with ${result.exitCode}`;
}

async function assertEmptyDir(dir: string): Promise<void> {
  const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
  if (entries.length > 0) {
    throw new PatchwrightError("clone_failed", `Clone target ${dir} is not empty; clone into a fresh directory.`, {
      retryable: false,
    });
  }
  await mkdir(dir, { recursive: true });
}

async function emptyDir(dir: string): Promise<void> {
  const entries = await readdir(dir).catch(() => []);
  await Promise.all(entries.map((entry) => rm(`${dir}/${entry}`, { recursive: true, force: true })));
}
