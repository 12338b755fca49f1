/**
 * A bare repository with a long history for the workspace benchmark, built
 * with one `git fast-import` stream (thousands of commits in seconds, where
 * as many `git commit` calls would take minutes). Each commit rewrites one
 * file of a fixed working tree with fresh random text, so the history does
 * not delta-compress away: the pack grows with the commit count, like a
 * real repository's does with its churn.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { once } from "node:events";

export interface HistoryRepoSpec {
  readonly commits: number;
  /** Random bytes per commit (written base64, so 4/3 as many characters). */
  readonly bytesPerCommit: number;
  /** Files in the working tree (spread over directories of 25). */
  readonly files: number;
}

export interface HistoryRepo {
  readonly bareDir: string;
  readonly spec: HistoryRepoSpec;
  /** Size of the packed object store. */
  readonly packBytes: number;
  /** Whether this run generated it (false: reused from an earlier run). */
  readonly generated: boolean;
  readonly generateMs: number;
}

const GIT_ENV: Record<string, string> = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: "/nonexistent",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  LANG: "C",
  LC_ALL: "C",
};

const AUTHOR = "Bench <bench@example.com>";
const EPOCH = Date.UTC(2020, 0, 1) / 1000;

/** Runs git synchronously (set-up only); throws with stderr on failure. */
export function gitSync(args: readonly string[], cwd: string, input?: string): string {
  const result = spawnSync("git", args, { cwd, env: GIT_ENV, encoding: "utf8", input, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`git ${args.join(" ")} failed: ${result.stderr}`);
  return result.stdout.trim();
}

/**
 * `<root>/bench/history.git` with `spec`, generated unless a complete one with
 * the same spec is already there.
 */
export async function ensureHistoryRepo(root: string, spec: HistoryRepoSpec): Promise<HistoryRepo> {
  const bareDir = path.join(root, "bench", "history.git");
  const marker = path.join(root, "spec.json");
  const wanted = JSON.stringify(spec);
  const tipFile = path.join(root, "tip");
  if (existsSync(marker) && readFileSync(marker, "utf8") === wanted && existsSync(tipFile)) {
    // Back to the generated history: earlier runs pushed their own commits on top.
    gitSync(["update-ref", "refs/heads/main", readFileSync(tipFile, "utf8").trim()], bareDir);
    return { bareDir, spec, packBytes: packBytes(bareDir), generated: false, generateMs: 0 };
  }
  const started = performance.now();
  rmSync(root, { recursive: true, force: true });
  mkdirSync(path.dirname(bareDir), { recursive: true });
  gitSync(["init", "--quiet", "--bare", "--initial-branch=main", bareDir], root);
  await fastImport(bareDir, spec);
  // One pack with a bitmap, as a hosting server keeps it: a full clone is served by pack reuse.
  gitSync(["repack", "-a", "-d", "-b", "-q"], bareDir);
  writeFileSync(tipFile, gitSync(["rev-parse", "refs/heads/main"], bareDir));
  writeFileSync(marker, wanted);
  return { bareDir, spec, packBytes: packBytes(bareDir), generated: true, generateMs: performance.now() - started };
}

/** Adds one small commit on `main` (a new file) and returns its sha. */
export function pushCommit(bareDir: string, label: string): string {
  const parent = gitSync(["rev-parse", "refs/heads/main"], bareDir);
  const content = `${label}\n`;
  const message = `bench: ${label}\n`;
  // Later than its parent, as real commits are (negotiation relies on commit dates).
  const when = `${Number(gitSync(["log", "-1", "--format=%ct", parent], bareDir)) + 60} +0000`;
  const stream =
    `commit refs/heads/main\nauthor ${AUTHOR} ${when}\ncommitter ${AUTHOR} ${when}\n` +
    `data ${Buffer.byteLength(message)}\n${message}from ${parent}\n` +
    `M 100644 inline bench/${label}.txt\ndata ${Buffer.byteLength(content)}\n${content}\n`;
  gitSync(["fast-import", "--quiet"], bareDir, stream);
  return gitSync(["rev-parse", "refs/heads/main"], bareDir);
}

async function fastImport(bareDir: string, spec: HistoryRepoSpec): Promise<void> {
  const child = spawn("git", ["fast-import", "--quiet", "--depth=10"], { cwd: bareDir, env: GIT_ENV, stdio: ["pipe", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const closed = once(child, "close");
  const write = async (chunk: string | Buffer): Promise<void> => {
    if (!child.stdin.write(chunk)) await once(child.stdin, "drain");
  };
  for (let i = 0; i < spec.commits; i += 1) {
    const file = fileName(i % spec.files);
    const content = `${randomBytes(spec.bytesPerCommit).toString("base64")}\n`;
    const message = `Change ${file} (${i + 1})\n`;
    const when = `${EPOCH + i * 600} +0000`;
    await write(
      `commit refs/heads/main\nmark :${i + 1}\nauthor ${AUTHOR} ${when}\ncommitter ${AUTHOR} ${when}\n` +
        `data ${Buffer.byteLength(message)}\n${message}` +
        (i > 0 ? `from :${i}\n` : "") +
        `M 100644 inline ${file}\ndata ${Buffer.byteLength(content)}\n${content}\n`,
    );
  }
  child.stdin.end();
  const [code] = (await closed) as [number | null];
  if (code !== 0) throw new Error(`git fast-import failed (${code}): ${stderr}`);
}

function fileName(n: number): string {
  return `data/d${String(Math.floor(n / 25)).padStart(3, "0")}/f${String(n % 25).padStart(2, "0")}.txt`;
}

/** Bytes of the object store (packs and loose objects), as `git count-objects` reports them. */
function packBytes(bareDir: string): number {
  const listing = gitSync(["count-objects", "-v"], bareDir);
  const kib = (key: string): number => Number(new RegExp(`${key}: (\\d+)`).exec(listing)?.[1] ?? 0);
  return (kib("size-pack") + kib("size")) * 1024;
}
