import { once } from "node:events";
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { startFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { RED_CALC_FILES } from "../support/calc-fixture.ts";
import { createFixtureRepo, showFile } from "../support/fixture-repo.ts";
import { workflowRunCompleted } from "../support/payloads.ts";
import { conversationScript, startScriptedModel, toolCall, type ScriptedModel, type ScriptStep } from "../support/scripted-model.ts";
import { sendWebhook, appEnv, startAppProcess, type AppProcess } from "./app-process.ts";

/**
 * A worker killed in the middle of a job (SIGKILL, while the model is thinking)
 * loses nothing: the restarted app takes the job back and finishes it.
 */

const SECRET = "e2e-webhook-secret-value";
const root = mkdtempSync(path.join(tmpdir(), "pw-e2e-kill-"));
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(root, { recursive: true, force: true });
});

it("resumes a job whose worker was killed, and delivers one PR", async () => {
  const repo = await createFixtureRepo({
    root: path.join(root, "git"),
    owner: "o",
    name: "calc",
    files: RED_CALC_FILES,
  });
  const github: FakeGitHub = await startFakeGitHub({ gitRoot: path.join(root, "git") });
  cleanups.push(() => github.close());
  github.repos.set("o/calc", { defaultBranch: "main", roles: {}, runs: { 5: [] }, issues: {} });

  let reached!: () => void;
  const modelReached = new Promise<void>((resolve) => (reached = resolve));
  // The first model call never answers: the worker is killed while waiting for it.
  const hang: ScriptStep = () => {
    reached();
    return new Promise(() => {});
  };
  let hung = false;
  const fixer = [toolCall("edit_file", { path: "src/add.js", old_string: "a - b", new_string: "a + b" }), toolCall("finish", { summary: "add() now adds." })];
  const model: ScriptedModel = await startScriptedModel(
    conversationScript((c) => {
      if (c.role === "investigator") {
        if (!hung) {
          hung = true;
          return hang;
        }
        return toolCall("finish", { summary: "Root cause: add subtracts." });
      }
      return fixer[c.turn];
    }),
  );
  cleanups.push(() => model.close());

  // The apps' temp files under the test's root: the killed one leaves its job's behind.
  const tmp = path.join(root, "tmp");
  mkdirSync(tmp, { mode: 0o755 });
  chmodSync(root, 0o755);
  const env = {
    ...appEnv({ githubHost: github.host, modelBaseURL: model.baseURL, webhookSecret: SECRET, modelKey: "sk-e2e-model-key-0123456789abcdef", dataDir: path.join(root, "data") }),
    TMPDIR: tmp,
  };
  const first: AppProcess = await startAppProcess(env);
  const payload = workflowRunCompleted({ owner: "o", name: "calc", baseUrl: github.url, headSha: repo.sha, runId: 5 });
  expect((await sendWebhook(first.url, { name: "workflow_run", payload, delivery: "k-1", secret: SECRET })).status).toBe(200);
  await modelReached;
  await first.kill();

  const pulled = once(github.events, "pull");
  const second = await startAppProcess(env);
  cleanups.push(() => second.stop());
  const [pr] = (await pulled) as [FakeGitHub["pulls"][number]];
  expect(pr.head).toBe(`patchwright/fix-${repo.sha.slice(0, 7)}`);
  expect(await showFile(repo.bareDir, pr.head, "src/add.js")).toContain("a + b");
  expect(second.logs.join("\n")).toMatch(/reclaiming a job left running by a stopped process/);
  expect(second.logs.join("\n")).toMatch(/"attempts":2.*resuming job/);
  expect(github.pulls).toHaveLength(1);
});
