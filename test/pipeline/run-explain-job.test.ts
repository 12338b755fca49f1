import { runningJob } from "../support/payloads.ts";
import { pipelineTestDeps } from "../support/pipeline-test-deps.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import nock from "nock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FixOutcome, FixRequest } from "../../src/agent/fix-request.ts";
import type { PipelineDeps } from "../../src/pipeline/pipeline-deps.ts";
import { runJob } from "../../src/pipeline/run-job.ts";
import type { JobRecord } from "../../src/queue/job.ts";
import { RED_CALC_FILES } from "../support/calc-fixture.ts";
import { createFixtureRepo, git } from "../support/fixture-repo.ts";
import { startGitHttpServer } from "../support/git-http-server.ts";

/** `/agent explain`: admission, evidence, workspace, reproduction and the investigator; the diagnosis as a comment, nothing pushed. */

const API = "https://api.github.com";
const REPO = "/repos/o/calc";
const TOKEN = "ghs_explaintesttoken00000000000000000";
const MARKER = "<!-- patchwright:job:4 -->";

let root: string;
let server: Awaited<ReturnType<typeof startGitHttpServer>>;
let red: { sha: string; bareDir: string };

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), "pw-explain-"));
  red = await createFixtureRepo({ root, owner: "o", name: "calc", files: RED_CALC_FILES });
  server = await startGitHttpServer({ projectRoot: root, token: TOKEN });
});
afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

function explainJob(): JobRecord {
  return runningJob({
    version: 1,
    kind: "explain",
    installationId: 42,
    deliveryId: "d",
    repo: { owner: "o", name: "calc", cloneUrl: `${server.url}/o/calc.git`, defaultBranch: "main" },
    thread: 7,
    trigger: { type: "comment", issueNumber: 7, isPullRequest: false, commentId: 70, author: "maintainer", instructions: "why does add fail?" },
  }, { id: 4 });
}

function deps(roles: string[], requests: FixRequest[], ledger: string[]): PipelineDeps {
  const never = (what: string) => () => Promise.reject(new Error(`an explain job must not ${what}`));
  const base = pipelineTestDeps({
    token: TOKEN,
    root,
    evidence: "",
    fix: async (request): Promise<FixOutcome> => {
      roles.push(request.role);
      requests.push(request);
      return { status: "finished", summary: "Root cause: add() subtracts its arguments.\nFiles: src/add.js\nConfidence: high", turns: 2, usage: { promptTokens: 5, completionTokens: 5 }, trace: [] };
    },
  });
  return { ...base, botIdentity: never("commit"), forkWorkspace: never("fork a workspace"), commit: never("commit"), pushBranch: never("push"), ledger: (_id, kind) => void ledger.push(kind) };
}

describe("runExplainJob", () => {
  it("answers /agent explain with the diagnosis in its status comment, and pushes nothing", async () => {
    nock(API).get(`${REPO}/contents/.github%2Fpatchwright.yml`).reply(404, {});
    nock(API).get(`/repos/o/.github/contents/.github%2Fpatchwright.yml`).reply(404, {});
    nock(API).get(`${REPO}/issues/7`).reply(200, { number: 7, title: "add is broken", body: "2 + 3 is not -1" });
    nock(API).get(`${REPO}/branches/main`).reply(200, { name: "main", commit: { sha: red.sha } });
    nock(API).get(`${REPO}/contents/AGENTS.md`).query({ ref: "main" }).reply(404, {});
    nock(API).get(`${REPO}/contents/.github%2Fcopilot-instructions.md`).query({ ref: "main" }).reply(404, {});
    // The job's status comment: none yet, so one is written when it starts…
    nock(API).get(`${REPO}/issues/7/comments`).query(true).reply(200, [{ id: 1, body: "a human", user: { type: "User" } }]);
    const started = nock(API).post(`${REPO}/issues/7/comments`, (b) => /Working on it/.test(b.body) && b.body.endsWith(MARKER)).reply(201, { id: 900 });
    // …and edited in place with the diagnosis.
    let answer = "";
    const answered = nock(API)
      .patch(`${REPO}/issues/comments/900`, (b) => Boolean((answer = b.body)))
      .reply(200, { id: 900 });
    const refsBefore = await git(["for-each-ref", "--format=%(refname)"], red.bareDir);
    const roles: string[] = [];
    const requests: FixRequest[] = [];
    const ledger: string[] = [];

    const result = await runJob(explainJob(), deps(roles, requests, ledger), new AbortController().signal);

    expect(result).toEqual({ state: "succeeded", summary: "explained" });
    expect(started.isDone() && answered.isDone()).toBe(true);
    expect(answer).toContain("**Diagnosis**");
    expect(answer).toContain("Root cause: add() subtracts its arguments.");
    expect(answer).toContain("Nothing was changed or pushed");
    expect(answer.endsWith(MARKER)).toBe(true);
    // The investigator only, with the requester's question and the issue; no fixer, no commit, no push, no PR.
    expect(roles).toEqual(["investigator"]);
    expect(requests[0]?.request).toMatchObject({ instructions: "why does add fail?", issue: { title: "add is broken" } });
    expect(ledger.filter((k) => k !== "stage")).toEqual(["evidence", "workspace", "toolchain", "reproduce", "diagnosis", "report"]);
    // Each stage's time, in the order the job went through them (the dashboard's timeline, the stage metrics).
    expect(ledger.filter((k) => k === "stage").length).toBeGreaterThanOrEqual(4);
    expect(await git(["for-each-ref", "--format=%(refname)"], red.bareDir)).toBe(refsBefore);
  });
});
