import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { tmpdir } from "node:os";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { prepareJob } from "../../src/pipeline/prepare-job.ts";
import type { JobRecord } from "../../src/queue/job.ts";
import { repoCachePaths } from "../../src/workspace/mirror-cache-paths.ts";
import { prefetchCommit } from "../../src/workspace/prefetch-commit.ts";
import { createFixtureRepo } from "../support/fixture-repo.ts";
import { startGitHttpServer, type GitHttpRequest } from "../support/git-http-server.ts";
import { ciPayload, commentPayload } from "../queue/payloads.ts";

/**
 * A waiting CI job's commit is fetched into the mirror before the job runs;
 * nothing is written anywhere (no push, nothing but the token's mint), and a
 * job that does not name its commit is left alone.
 */

const TOKEN = "ghs_PrepareJobToken0123456789abcdefXY";
let root: string;
let server: Awaited<ReturnType<typeof startGitHttpServer>>;
let requests: GitHttpRequest[];
let sha: string;

beforeEach(async () => {
  root = mkdtempSync(path.join(tmpdir(), "pw-prepare-"));
  sha = (await createFixtureRepo({ root: path.join(root, "git"), owner: "o", name: "calc", files: { "a.txt": "a\n" } })).sha;
  server = await startGitHttpServer({ projectRoot: path.join(root, "git"), token: TOKEN });
  requests = server.requests;
});

afterEach(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

const jobOf = (payload: JobRecord["payload"]): JobRecord => ({ id: 7, state: "queued", attempts: 0, payload, ackId: null, runAfter: 0, result: null, createdAt: 0, updatedAt: 0 });

function deps() {
  const minted: number[] = [];
  const cacheRoot = path.join(root, "mirrors");
  return {
    minted,
    cacheRoot,
    deps: {
      log: pino({ level: "silent" }),
      mintToken: async (installationId: number) => (minted.push(installationId), { token: TOKEN }),
      prefetch: (args: { cloneUrl: string; sha: string; token: string; installationId: number }) => prefetchCommit({ ...args, cacheRoot }),
    },
  };
}

describe("prepareJob (speculative work for a waiting job)", () => {
  it("fetches a CI job's red commit into the repository's mirror, reading only", async () => {
    const { deps: d, minted, cacheRoot } = deps();
    const payload = ciPayload();
    const cloneUrl = `${server.url}/o/calc.git`;
    const job = jobOf({ ...payload, repo: { ...payload.repo, name: "calc", cloneUrl }, trigger: { ...payload.trigger, headSha: sha } as typeof payload.trigger });
    await prepareJob(job, d);
    const { mirrorDir } = repoCachePaths({ cacheRoot, installationId: payload.installationId, cloneUrl });
    expect(execFileSync("git", ["cat-file", "-t", sha], { cwd: mirrorDir, encoding: "utf8" }).trim()).toBe("commit");
    expect(minted).toEqual([payload.installationId]);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((r) => r.authorized && !`${r.path}?${r.query}`.includes("receive-pack"))).toBe(true);
    // The mirror keeps no credentials.
    expect(execFileSync("git", ["config", "--list", "--local"], { cwd: mirrorDir, encoding: "utf8" })).not.toContain(TOKEN);
  });

  it("leaves a job that does not name its commit alone: no token, no fetch", async () => {
    const { deps: d, minted } = deps();
    await prepareJob(jobOf(commentPayload(3)), d);
    expect(minted).toEqual([]);
    expect(requests).toEqual([]);
  });
});
