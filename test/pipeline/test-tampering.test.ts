import { runningJob } from "../support/payloads.ts";
import { pipelineTestDeps } from "../support/pipeline-test-deps.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import nock from "nock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FixOutcome, FixRequest } from "../../src/agent/fix-request.ts";
import type { PipelineDeps } from "../../src/pipeline/pipeline-deps.ts";
import { runJob } from "../../src/pipeline/run-job.ts";
import { renderTestProof } from "../../src/pipeline/stages/render-test-proof.ts";
import type { JobRecord } from "../../src/queue/job.ts";
import { RED_CALC_FILES } from "../support/calc-fixture.ts";
import { createFixtureRepo, showFile } from "../support/fixture-repo.ts";
import { startGitHttpServer } from "../support/git-http-server.ts";

/**
 * The test-tampering guard in the whole pipeline (real git, real sandbox,
 * GitHub in nock): candidates that delete or skip the failing test pass
 * `npm test` but are rejected, and the PR names the test the honest fix
 * makes pass, from node --test's own report.
 */

const API = "https://api.github.com";
const TOKEN = "ghs_tamperingtesttoken00000000000000";

let root: string;
let server: Awaited<ReturnType<typeof startGitHttpServer>>;
let repo: { sha: string; bareDir: string };

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), "pw-tampering-"));
  repo = await createFixtureRepo({ root, owner: "o", name: "calc", files: RED_CALC_FILES });
  server = await startGitHttpServer({ projectRoot: root, token: TOKEN });
});
afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

function job(): JobRecord {
  return runningJob({
    version: 1,
    kind: "fix-ci",
    installationId: 42,
    deliveryId: "d",
    repo: { owner: "o", name: "calc", cloneUrl: `${server.url}/o/calc.git`, defaultBranch: "main" },
    trigger: { type: "ci", headSha: repo.sha, headBranch: "main", sources: [{ type: "workflow_run", runId: 7, runUrl: "https://github.com/o/calc/actions/runs/7", workflowName: "CI" }] },
  }, { ackId: 555 });
}

function deps(fix: (request: FixRequest) => Promise<void>): PipelineDeps {
  return pipelineTestDeps({
    token: TOKEN,
    root,
    fix: async (request): Promise<FixOutcome> => {
      if (request.role === "investigator") return { status: "finished", summary: "Root cause: add subtracts.", turns: 1, usage: { promptTokens: 5, completionTokens: 5 }, trace: [] };
      await fix(request);
      return { status: "finished", summary: "Made the tests pass.", turns: 2, usage: { promptTokens: 10, completionTokens: 5 }, trace: [] };
    },
  });
}

const write = async (dir: string, file: string, content: string) => {
  await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
  await writeFile(path.join(dir, file), content);
};

describe("the test-tampering guard in a fix job", () => {
  it("rejects a candidate that deletes the failing test and one that skips it; the honest fix wins and its PR names the test it fixed", async () => {
    nock(API).get("/repos/o/calc/contents/.github%2Fpatchwright.yml").reply(404, {});
    nock(API).get("/repos/o/.github/contents/.github%2Fpatchwright.yml").reply(404, {});
    nock(API).get("/repos/o/calc/branches/main").reply(200, { name: "main", commit: { sha: repo.sha } });
    nock(API).get("/repos/o/calc/contents/AGENTS.md").query({ ref: "main" }).reply(404, {});
    nock(API).get("/repos/o/calc/contents/.github%2Fcopilot-instructions.md").query({ ref: "main" }).reply(404, {});
    nock(API).patch("/repos/o/calc/check-runs/555").times(2).reply(200, {});
    nock(API).get("/repos/o/calc/pulls").query(true).reply(200, []);
    let body = "";
    const pr = nock(API)
      .post("/repos/o/calc/pulls", (b) => Boolean((body = b.body)))
      .reply(201, { number: 31, html_url: "https://github.com/o/calc/pull/31" });

    const result = await runJob(
      job(),
      deps(async ({ workspace, candidate }) => {
        if (candidate?.index === 1) {
          // `npm test` passes: nothing is left to fail.
          await rm(path.join(workspace.dir, "test/add.test.js"));
        } else if (candidate?.index === 2) {
          // `npm test` passes: the failing test no longer runs.
          await write(workspace.dir, "test/add.test.js", RED_CALC_FILES["test/add.test.js"]!.replace('test("adds"', 'test.skip("adds"'));
        } else {
          await write(workspace.dir, "src/add.js", "export const add = (a, b) => a + b;\n");
        }
      }),
      new AbortController().signal,
    );

    expect(result).toEqual({ state: "succeeded", summary: "https://github.com/o/calc/pull/31" });
    expect(pr.isDone()).toBe(true);
    // The cheats are smaller diffs than the fix and pass `npm test`; the guard is what rejects them.
    expect(body).toMatch(/candidate 1: rejected: .*`test\/add\.test\.js` is a test file and is deleted; a fix may not delete tests/);
    expect(body).toMatch(/candidate 1: rejected: .*a test that failed before does not pass now: `adds` no longer runs.*fewer tests ran \(0, before 1\)/);
    expect(body).toMatch(/candidate 2: rejected: .*`test\/add\.test\.js` skips tests \(`\.skip`\); a fix may not skip a test/);
    expect(body).toMatch(/candidate 2: rejected: .*tests are newly skipped: `adds`/);
    expect(body).toMatch(/candidate 3 \(chosen\): passed/);
    expect(body).toContain("#### Tests\nFailed before, pass now, from the TAP report:\n- `adds`\n\nExecuted: 1 (0 passed, 1 failed, 0 skipped) before, 1 (1 passed, 0 failed, 0 skipped) after.");
    expect(body).not.toContain("This change edits tests");
    const branch = `patchwright/fix-${repo.sha.slice(0, 7)}`;
    expect(await showFile(repo.bareDir, branch, "src/add.js")).toContain("a + b");
    expect(await showFile(repo.bareDir, branch, "test/add.test.js")).toContain('test("adds"');
  });
});

describe("the Tests part of a PR body", () => {
  it("says the exit code is the only proof when no runner report was found, and calls out edited tests", () => {
    expect(renderTestProof(undefined, ["test/add.test.js"])).toBe(
      "#### Tests\nNo test report Patchwright can read (TAP, node --test, pytest, jest, vitest, go test) was found in the output: the proof is the command's exit code only.\n\n**This change edits tests:** `test/add.test.js`. Review them with care.",
    );
  });

  it("lists at most 20 names, each in a code span the name cannot break out of", () => {
    const fixed = [..."abcdefghijklmnopqrstuvwxy"].map((c) => `adds ${c}`);
    fixed[0] = "a `tricky` <b>name</b>\n@someone";
    const text = renderTestProof({ runner: "jest", fixed, added: [], before: { passed: 0, failed: 25, skipped: 0 }, after: { passed: 25, failed: 0, skipped: 0 }, listsAll: false, problems: [] }, []);
    expect(text).toContain("Failed before, pass now (jest lists failures only: these are no longer among them), from the jest report:\n- ``a `tricky` <b>name</b> @someone``\n- `adds b`");
    expect(text).toContain("- `adds t`\n- … and 5 more\n\nExecuted: 25 (0 passed, 25 failed, 0 skipped) before, 25 (25 passed, 0 failed, 0 skipped) after.");
    expect(text).not.toContain("adds u");
  });
});
