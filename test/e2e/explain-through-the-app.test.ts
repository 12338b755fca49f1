import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { createFixtureRepo, git } from "../support/fixture-repo.ts";
import { issueCommentCreated } from "../support/payloads.ts";
import { conversationScript, startScriptedModel, toolCall, type ScriptedModel } from "../support/scripted-model.ts";
import { appEnv, sendWebhook, startAppProcess, type AppProcess } from "./app-process.ts";

/**
 * `/agent explain` through the app process, as GitHub and a model would
 * drive it: a maintainer asks on an issue while the tests are red; the app
 * reproduces the failure in the sandbox, runs the investigator only, and
 * answers in one status comment edited in place. Nothing is pushed, no
 * branch or pull request appears, and only the investigator talks to the
 * model, with the failing output in front of it.
 */

const SECRET = "e2e-explain-webhook-secret";
const MODEL_KEY = "sk-e2e-explain-key-0123456789abcdef";
const ROOT_CAUSE = "Root cause: `src/add.js:2` returns `a - b` instead of `a + b`.";

let root: string;
let github: FakeGitHub;
let model: ScriptedModel;
let app: AppProcess;
let bareDir: string;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), "pw-e2e-explain-"));
  const repo = await createFixtureRepo({
    root: path.join(root, "git"),
    owner: "octo-org",
    name: "calc",
    files: {
      "package.json": JSON.stringify({ name: "calc", version: "1.0.0", type: "module", scripts: { test: "node --test" } }, null, 2),
      "src/add.js": "export function add(a, b) {\n  return a - b;\n}\n",
      "test/add.test.js":
        'import assert from "node:assert";\nimport test from "node:test";\nimport { add } from "../src/add.js";\n\ntest("adds", () => {\n  assert.strictEqual(add(2, 3), 5);\n});\n',
    },
  });
  bareDir = repo.bareDir;
  github = await startFakeGitHub({ gitRoot: path.join(root, "git") });
  github.repos.set("octo-org/calc", {
    defaultBranch: "main",
    roles: { maintainer: "write" },
    runs: {},
    issues: { 5: { title: "add() gives wrong results", body: "add(2, 3) is -1." } },
  });
  // Only an investigator has a script: a fixer's request would get a 500 and show in the assertions.
  model = await startScriptedModel(
    conversationScript((c) => {
      if (c.role !== "investigator") return undefined;
      return [toolCall("read_file", { path: "src/add.js" }), toolCall("finish", { summary: `${ROOT_CAUSE}\nFiles: src/add.js\nConfidence: high` })][c.turn];
    }),
  );
  app = await startAppProcess(appEnv({ githubHost: github.host, modelBaseURL: model.baseURL, webhookSecret: SECRET, modelKey: MODEL_KEY, dataDir: path.join(root, "data") }));
});

afterAll(async () => {
  await app?.stop();
  await model?.close();
  await github?.close();
  rmSync(root, { recursive: true, force: true });
});

describe("/agent explain through the app", () => {
  it("answers with a diagnosis in one status comment and pushes nothing", async () => {
    const res = await sendWebhook(app.url, {
      name: "issue_comment",
      payload: issueCommentCreated({ owner: "octo-org", name: "calc", baseUrl: github.url, body: "/agent explain", author: "maintainer", issueNumber: 5, commentId: 51, installationId: 42 }),
      delivery: "explain-1",
      secret: SECRET,
    });
    expect(res.status).toBe(200);
    await github.waitFor((r) => r.method === "POST" && r.path.endsWith("/issues/comments/51/reactions"));

    // The status comment, written when the job started, edited with the diagnosis.
    const started = await github.waitFor((r) => r.method === "POST" && r.path.endsWith("/repos/octo-org/calc/issues/5/comments"));
    expect(JSON.stringify(started.body)).toContain("Working on it");
    const answered = await github.waitFor((r) => r.method === "PATCH" && /\/issues\/comments\/\d+$/.test(r.path) && JSON.stringify(r.body).includes("Diagnosis"));
    const thread = github.comments.filter((c) => c.repo === "octo-org/calc" && c.issue === 5);
    expect(thread).toHaveLength(1);
    expect(answered.path).toMatch(new RegExp(`/issues/comments/${thread[0]?.id}$`));
    const body = thread[0]?.body ?? "";
    expect(body).toContain("**Diagnosis**");
    expect(body).toContain(ROOT_CAUSE);
    expect(body).toContain("fails here too");
    expect(body).toContain("Nothing was changed or pushed");
    expect(body).toMatch(/<!-- patchwright:job:\d+ -->$/);

    // Nothing pushed: git only ever fetched, no branch but main, no pull request, no check run.
    expect(github.gitRequests.length).toBeGreaterThan(0);
    expect(github.gitRequests.filter((r) => r.path.includes("git-receive-pack") || r.query.includes("git-receive-pack"))).toEqual([]);
    expect((await git(["for-each-ref", "--format=%(refname)", "refs/heads"], bareDir)).trim().split("\n")).toEqual(["refs/heads/main"]);
    expect(github.pulls).toEqual([]);
    expect(github.requests.filter((r) => r.method !== "GET" && /\/pulls|\/git\/refs|\/check-runs/.test(r.path))).toEqual([]);

    // Only the investigator ran, and it saw the failing test's output from the sandbox.
    expect(model.requests.length).toBeGreaterThan(0);
    for (const request of model.requests) expect(JSON.stringify(request.messages[0])).toMatch(/Your role: investigator/);
    const first = JSON.stringify(model.requests[0]);
    expect(first).toContain("-1 !== 5");
    expect(first).toContain("not ok 1 - adds");
  });

  it("never lets a secret out: not to the model, not to GitHub, not to the logs", () => {
    const outbound = [JSON.stringify(model.requests), JSON.stringify(github.requests.map((r) => r.body)), app.logs.join("\n")];
    for (const text of outbound) {
      expect(text).not.toContain(github.token);
      expect(text).not.toContain(MODEL_KEY);
      expect(text).not.toContain(SECRET);
    }
  });
});
