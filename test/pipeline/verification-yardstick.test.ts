import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import nock from "nock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FixOutcome, FixRequest } from "../../src/agent/fix-request.ts";
import type { PipelineDeps } from "../../src/pipeline/pipeline-deps.ts";
import { runJob } from "../../src/pipeline/run-job.ts";
import type { JobRecord } from "../../src/queue/job.ts";
import { createFixtureRepo, showFile } from "../support/fixture-repo.ts";
import { startGitHttpServer } from "../support/git-http-server.ts";
import { runningJob } from "../support/payloads.ts";
import { pipelineTestDeps } from "../support/pipeline-test-deps.ts";

/**
 * A fix is judged by the command that failed, as CI ran it. The repository's
 * broader suite judges it too only if it passed here before the fix: one that
 * was already red (here, a test that needs a service CI had) never blocks a
 * fix and is reported as pre-existing; one that was green rejects a candidate
 * that breaks it.
 */

const API = "https://api.github.com";
const TOKEN = "ghs_yardsticktesttoken000000000000000";
let root: string;
let server: Awaited<ReturnType<typeof startGitHttpServer>>;
let ledger: [string, unknown][];

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), "pw-yardstick-"));
  mkdirSync(root, { recursive: true });
  server = await startGitHttpServer({ projectRoot: root, token: TOKEN });
});
afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});
beforeEach(() => {
  ledger = [];
});

function job(name: string, sha: string): JobRecord {
  return runningJob(
    {
      version: 1,
      kind: "fix-ci",
      installationId: 42,
      deliveryId: "d",
      repo: { owner: "o", name, cloneUrl: `${server.url}/o/${name}.git`, defaultBranch: "main" },
      trigger: { type: "ci", headSha: sha, headBranch: "main", sources: [{ type: "workflow_run", runId: 7, runUrl: `https://github.com/o/${name}/actions/runs/7`, workflowName: "CI" }] },
    },
    { ackId: 555 },
  );
}

/** Each fixer writes its own files (by candidate number); the investigator only diagnoses. */
function deps(edits: Record<number, Record<string, string>>): PipelineDeps {
  const base = pipelineTestDeps({
    token: TOKEN,
    root,
    fix: async (request: FixRequest): Promise<FixOutcome> => {
      const usage = { promptTokens: 5, completionTokens: 5 };
      if (request.role === "investigator") return { status: "finished", summary: "Root cause: see the failing check.", turns: 1, usage, trace: [] };
      for (const [file, content] of Object.entries(edits[request.candidate?.index ?? 1] ?? {})) {
        await mkdir(path.dirname(path.join(request.workspace.dir, file)), { recursive: true });
        await writeFile(path.join(request.workspace.dir, file), content);
      }
      return { status: "finished", summary: `Candidate ${request.candidate?.index ?? 1}'s change.`, turns: 1, usage, trace: [] };
    },
  });
  return { ...base, ledger: (_id, kind, data) => void ledger.push([kind, data]) };
}

function github(name: string, sha: string, config: string): { body: () => string; reports: Record<string, unknown>[] } {
  nock(API).get(`/repos/o/${name}/contents/.github%2Fpatchwright.yml`).reply(200, config);
  nock(API).get(`/repos/o/${name}/branches/main`).reply(200, { name: "main", commit: { sha } });
  nock(API).get(`/repos/o/${name}/contents/AGENTS.md`).query({ ref: "main" }).reply(404, {});
  nock(API).get(`/repos/o/${name}/contents/.github%2Fcopilot-instructions.md`).query({ ref: "main" }).reply(404, {});
  const reports: Record<string, unknown>[] = [];
  nock(API).patch(`/repos/o/${name}/check-runs/555`, (b) => reports.push(b) > 0).times(2).reply(200, {});
  nock(API).get(`/repos/o/${name}/pulls`).query(true).reply(200, []);
  let body = "";
  nock(API).post(`/repos/o/${name}/pulls`, (b) => Boolean((body = String(b.body)))).reply(201, { number: 5, html_url: `https://github.com/o/${name}/pull/5` });
  nock(API).post(`/repos/o/${name}/issues/5/labels`).reply(200, []);
  return { body: () => body, reports };
}

const ADD_TEST = 'import assert from "node:assert";\nimport test from "node:test";\nimport { add } from "../src/add.js";\ntest("adds", () => assert.strictEqual(add(2, 3), 5));\n';

describe("verification against the same yardstick", () => {
  it("a broader suite that already failed before the fix does not block it, and is reported as pre-existing", async () => {
    const repo = await createFixtureRepo({
      root,
      owner: "o",
      name: "services",
      files: {
        "package.json": JSON.stringify({ name: "services", type: "module", scripts: { test: "node --test" } }),
        "src/add.js": "export const add = (a, b) => a - b;\n",
        "test/add.test.js": ADD_TEST,
        // Needs a database CI started as a service: red here, whatever the fix.
        "test/db.test.js": 'import test from "node:test";\nimport net from "node:net";\ntest("talks to the database", () => new Promise((ok, fail) => net.connect(5432, "127.0.0.1").on("connect", ok).on("error", fail)));\n',
      },
    });
    const gh = github("services", repo.sha, "candidates: 1\ncommands:\n  test: node --test test/add.test.js\n");
    const result = await runJob(job("services", repo.sha), deps({ 1: { "src/add.js": "export const add = (a, b) => a + b;\n" } }), new AbortController().signal);
    expect(result.state).toBe("succeeded");
    expect(await showFile(repo.bareDir, `patchwright/fix-${repo.sha.slice(0, 7)}`, "src/add.js")).toContain("a + b");
    expect(gh.body()).toContain("Already failing before the fix");
    expect(gh.body()).toContain("`npm test` exited 1 here before any change");
    expect(ledger.find(([kind]) => kind === "broader_suite")?.[1]).toMatchObject({ command: "npm test", exitCode: 1 });
  }, 120_000);

  it("a broader suite that passed before the fix rejects a candidate that breaks it; the one that keeps it green wins", async () => {
    const repo = await createFixtureRepo({
      root,
      owner: "o",
      name: "lint",
      files: {
        "package.json": JSON.stringify({ name: "lint", type: "module", scripts: { test: "node --test" } }),
        "src/add.js": "// TODO remove this marker\nexport const add = (a, b) => a + b;\n",
        "test/add.test.js": ADD_TEST,
        "check.js": 'import { readFileSync } from "node:fs";\nif (readFileSync("src/add.js", "utf8").includes("TODO")) { console.error("src/add.js: TODO left in"); process.exit(1); }\n',
      },
    });
    const gh = github("lint", repo.sha, "candidates: 2\ncommands:\n  test: node check.js\n");
    const result = await runJob(
      job("lint", repo.sha),
      deps({
        // Passes the check by breaking add(): the suite that was green before catches it.
        1: { "src/add.js": "export const add = (a, b) => a - b;\n" },
        2: { "src/add.js": "export const add = (a, b) => a + b;\n" },
      }),
      new AbortController().signal,
    );
    expect(result.state).toBe("succeeded");
    expect(await showFile(repo.bareDir, `patchwright/fix-${repo.sha.slice(0, 7)}`, "src/add.js")).toBe("export const add = (a, b) => a + b;\n");
    const candidates = ledger.filter(([kind]) => kind === "candidate").map(([, data]) => data as { index: number; passed: boolean; problems: string[] });
    expect(candidates.find((c) => c.index === 1)).toMatchObject({ passed: false });
    expect(candidates.find((c) => c.index === 1)?.problems.join(" ")).toContain("passed before the fix and fails after it");
    expect(candidates.find((c) => c.index === 2)).toMatchObject({ passed: true });
    expect(gh.body()).not.toContain("Already failing before the fix");
  }, 120_000);
});
