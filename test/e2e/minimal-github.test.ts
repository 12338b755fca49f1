import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { startFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { RED_CALC_FILES } from "../support/calc-fixture.ts";
import { createFixtureRepo, showFile } from "../support/fixture-repo.ts";
import { workflowRunCompleted } from "../support/payloads.ts";
import { conversationScript, startScriptedModel, toolCall } from "../support/scripted-model.ts";
import { appEnv, sendWebhook, startAppProcess } from "./app-process.ts";

/**
 * A GitHub that serves only the essentials (tokens, jobs and logs, the config,
 * creating the PR, git): no check runs, no branch lookups, no app or user
 * lookups, no reactions. Those are courtesies; the fix must still land.
 */

const SECRET = "e2e-webhook-secret-value";
const root = mkdtempSync(path.join(tmpdir(), "pw-e2e-minimal-"));
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(root, { recursive: true, force: true });
});

it("opens the PR even when GitHub answers none of the optional calls", async () => {
  const repo = await createFixtureRepo({
    root: path.join(root, "git"),
    owner: "o",
    name: "calc",
    files: RED_CALC_FILES,
  });
  const github: FakeGitHub = await startFakeGitHub({ gitRoot: path.join(root, "git"), minimal: true });
  cleanups.push(() => github.close());
  github.repos.set("o/calc", {
    defaultBranch: "main",
    roles: {},
    runs: { 9: [{ id: 91, name: "test", conclusion: "failure", log: "not ok 1 - adds\n##[error]Process completed with exit code 1.", steps: [] }] },
    issues: {},
  });
  const fixer = [toolCall("edit_file", { path: "src/add.js", old_string: "a - b", new_string: "a + b" }), toolCall("finish", { summary: "add() now adds." })];
  const model = await startScriptedModel(conversationScript((c) => (c.role === "investigator" ? toolCall("finish", { summary: "Root cause: add subtracts." }) : fixer[c.turn])));
  cleanups.push(() => model.close());
  const app = await startAppProcess({
    ...appEnv({ githubHost: github.host, modelBaseURL: model.baseURL, webhookSecret: SECRET, modelKey: "sk-e2e-model-key-0123456789abcdef", dataDir: path.join(root, "data") }),
    PATCHWRIGHT_COALESCE_MS: "0",
  });
  cleanups.push(() => app.stop());

  const pulled = once(github.events, "pull");
  const payload = workflowRunCompleted({ owner: "o", name: "calc", baseUrl: github.url, headSha: repo.sha, runId: 9 });
  expect((await sendWebhook(app.url, { name: "workflow_run", payload, delivery: "m-1", secret: SECRET })).status).toBe(200);
  const [pr] = (await pulled) as [FakeGitHub["pulls"][number]];
  expect(pr.head).toBe(`patchwright/fix-${repo.sha.slice(0, 7)}`);
  expect(await showFile(repo.bareDir, pr.head, "src/add.js")).toContain("a + b");
  // The optional calls were made and refused, and none of them stopped the job.
  expect(github.requests.some((r) => r.path.includes("/check-runs"))).toBe(true);
  expect(github.requests.some((r) => r.path.includes("/branches/"))).toBe(true);
});
