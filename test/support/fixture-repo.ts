/**
 * Tiny bare repositories for tests, laid out as a git server sees them
 * (`<root>/<owner>/<name>.git`), with deterministic authors and dates so
 * commit shas are stable across runs.
 */
import { execa } from "execa";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

const FIXED_ENV: Record<string, string> = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: "/nonexistent",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "Fixture Author",
  GIT_AUTHOR_EMAIL: "fixture@example.com",
  GIT_COMMITTER_NAME: "Fixture Author",
  GIT_COMMITTER_EMAIL: "fixture@example.com",
  LANG: "C",
  LC_ALL: "C",
  TZ: "UTC",
};

/** Runs git for fixtures (throws on failure, returns trimmed stdout). */
export async function git(args: readonly string[], cwd?: string, env: Record<string, string> = {}): Promise<string> {
  const result = await execa("git", args, { ...(cwd === undefined ? {} : { cwd }), env: { ...FIXED_ENV, ...env }, extendEnv: false });
  return result.stdout.trim();
}

export interface CreateFixtureRepoOptions {
  /** Project root served by the git HTTP server. */
  readonly root: string;
  readonly owner: string;
  readonly name: string;
  /** Path → content of the single commit. */
  readonly files: Readonly<Record<string, string>>;
  /** Default `main`. */
  readonly branch?: string;
}

export interface FixtureRepo {
  readonly bareDir: string;
  /** The commit on `branch`. */
  readonly sha: string;
}

/** Creates `<root>/<owner>/<name>.git` with one commit holding `files`. */
export async function createFixtureRepo(options: CreateFixtureRepoOptions): Promise<FixtureRepo> {
  const branch = options.branch ?? "main";
  const bareDir = path.join(options.root, options.owner, `${options.name}.git`);
  await mkdir(path.dirname(bareDir), { recursive: true });
  await git(["init", "--quiet", "--bare", `--initial-branch=${branch}`, bareDir]);
  const sha = await addFixtureCommit({ bareDir, branch, files: options.files, message: "Initial commit", replace: true });
  return { bareDir, sha };
}

export interface AddFixtureCommitOptions {
  readonly bareDir: string;
  readonly branch?: string;
  /** Files to write (added or overwritten); `null` deletes a file. */
  readonly files: Readonly<Record<string, string | null>>;
  readonly message?: string;
  /** Start from an empty tree instead of the branch tip. */
  readonly replace?: boolean;
}

/** Adds a commit to `branch` of a bare repository and returns its sha. */
export async function addFixtureCommit(options: AddFixtureCommitOptions): Promise<string> {
  const branch = options.branch ?? "main";
  const work = await mkdtemp(path.join(tmpdir(), "patchwright-fixture-"));
  try {
    await git(["init", "--quiet", `--initial-branch=${branch}`, work]);
    const parent = options.replace === true ? null : await readBranchSha(options.bareDir, branch);
    if (parent !== null) {
      await git(["fetch", "--quiet", options.bareDir, `refs/heads/${branch}`], work);
      await git(["reset", "--quiet", "--hard", "FETCH_HEAD"], work);
    }
    for (const [file, content] of Object.entries(options.files)) {
      const target = path.join(work, file);
      if (content === null) {
        await rm(target, { force: true });
        continue;
      }
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, content);
    }
    await git(["add", "--all"], work);
    // Dates advance with history depth, so every commit is distinct but reproducible.
    const depth = parent === null ? 0 : Number(await git(["rev-list", "--count", "HEAD"], work));
    const date = new Date(Date.UTC(2024, 0, 1) + depth * 60_000).toISOString();
    await git(["commit", "--quiet", "--allow-empty", "-m", options.message ?? `Commit ${depth + 1}`], work, {
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_DATE: date,
    });
    await git(["push", "--quiet", "--force", options.bareDir, `HEAD:refs/heads/${branch}`], work);
    return await git(["rev-parse", "HEAD"], work);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The sha `branch` points at in a bare repository, or null when it does not exist. */
export async function readBranchSha(bareDir: string, branch: string): Promise<string | null> {
  const result = await execa("git", ["rev-parse", "--verify", "--quiet", `refs/heads/${branch}^{commit}`], {
    cwd: bareDir,
    env: FIXED_ENV,
    extendEnv: false,
    reject: false,
  });
  return result.exitCode === 0 ? result.stdout.trim() : null;
}

/** The content of `file` at `rev` (a branch, tag or sha) in a repository. */
export async function showFile(repoDir: string, rev: string, file: string): Promise<string> {
  const result = await execa("git", ["show", `${rev}:${file}`], { cwd: repoDir, env: FIXED_ENV, extendEnv: false, stripFinalNewline: false });
  return result.stdout;
}
