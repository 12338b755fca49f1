/**
 * Clones a repository at exactly one commit into a fresh directory: init,
 * fetch that sha (protocol v2 allows fetching any reachable commit, as GitHub
 * does), detach HEAD at it. Servers that refuse unadvertised objects (v0)
 * get a fallback fetch of all branches and tags.
 */
import { mkdir, readdir, rm } from "node:fs/promises";
import { PatchwrightError } from "../errors.ts";
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

/** Errors of a by-sha fetch that mean "this server will not serve a bare sha", so a full fetch may help. */
const UNADVERTISED = /unadvertised object|not our ref|couldn't find remote ref|no such remote ref/i;

/**
 * Clones `cloneUrl` at `sha` into `dir`; the remote `origin` is the URL without credentials.
 * @throws PatchwrightError `clone_failed` (token redacted); not retryable when the
 *   sha or URL is invalid or the commit does not exist on the server.
 */
export async function cloneAtSha(options: CloneAtShaOptions): Promise<CloneResult> {
  const { dir, sha, token } = options;
  if (!/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(sha)) {
    throw new PatchwrightError("clone_failed", `"${sha}" is not a full commit sha; pass the 40-hex head_sha from the event.`, {
      retryable: false,
    });
  }
  const remoteUrl = publicCloneUrl(options.cloneUrl);
  await assertEmptyDir(dir);
  const redact = createGitRedactor(token);
  const timeout = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  const local = { cwd: dir, ...timeout };
  const authed = { ...local, env: gitAuthEnv(remoteUrl, token) };
  const fail = (step: string, result: GitResult, retryable?: boolean): never => {
    throw new PatchwrightError(
      "clone_failed",
      redact(`Cloning ${remoteUrl} at ${sha} failed (${step}): ${describe(result)}. ${hint(result)}`),
      retryable === undefined ? {} : { retryable },
    );
  };

  try {
    // An empty template: no sample hooks, nothing the repository did not bring.
    const init = await runGit(["init", "--quiet", "--template=", dir], timeout);
    if (init.exitCode !== 0) fail("git init", init, false);
    const remote = await runGit(["remote", "add", "origin", remoteUrl], local);
    if (remote.exitCode !== 0) fail("git remote add", remote, false);

    const depth = options.depth ?? 1;
    const depthArgs = depth > 0 ? [`--depth=${depth}`] : [];
    let fetchedBy: CloneResult["fetchedBy"] = "sha";
    const bySha = await runGit(["fetch", "--quiet", "--no-tags", ...depthArgs, "origin", sha], authed);
    if (bySha.exitCode !== 0) {
      if (!UNADVERTISED.test(bySha.stderr)) fail("git fetch", bySha);
      fetchedBy = "all-refs";
      const all = await runGit(
        ["fetch", "--quiet", "--tags", "origin", "+refs/heads/*:refs/remotes/origin/*"],
        authed,
      );
      if (all.exitCode !== 0) fail("git fetch of all branches", all);
      const present = await runGit(["cat-file", "-e", `${sha}^{commit}`], local);
      if (present.exitCode !== 0) fail("commit lookup", { ...present, stderr: "no branch or tag contains this commit" }, false);
    }

    const checkout = await runGit(["-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", sha], local);
    if (checkout.exitCode !== 0) fail("git checkout", checkout, false);
    const head = await runGit(["rev-parse", "HEAD"], local);
    if (head.stdout.trim() !== sha) fail("HEAD check", { ...head, stderr: `HEAD is ${head.stdout.trim()}` }, false);
    return { dir, sha, fetchedBy };
  } catch (error) {
    // Leave the directory as we found it (empty), so a retry can reuse it.
    await emptyDir(dir);
    throw error;
  }
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
