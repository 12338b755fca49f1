import { mkdtempSync, rmSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADVISORIES, RENDER_JS_FIXED, lodashProject, markedProject } from "../advisories/fixtures.ts";
import { startFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { createFixtureRepo, git, readBranchSha, showFile } from "../support/fixture-repo.ts";
import { dependabotAlert } from "../support/payloads.ts";
import { startScriptedModel, toolCall, type ScriptedModel } from "../support/scripted-model.ts";
import { sendWebhook, appEnv, startAppProcess, type AppProcess } from "./app-process.ts";

/**
 * A Dependabot alert, as GitHub would send it, to the app running as its own
 * process: it clones the fixture repository over git's smart HTTP, upgrades
 * the package with npm against the REAL registry in bubblewrap, runs the
 * repository's tests, lets the scripted model adapt the code when the upgrade
 * breaks it, pushes a `patchwright/bump-*` branch and opens the PR.
 */

const SECRET = "e2e-advisory-webhook-secret";
const MODEL_KEY = "sk-e2e-advisory-model-key-0123456789";
const SLOW = 240_000;

let root: string;
let github: FakeGitHub;
let model: ScriptedModel;
let app: AppProcess;
let greeter: { sha: string; bareDir: string };
let render: { sha: string; bareDir: string };

const alert = (name: string, advisory: NonNullable<Parameters<typeof dependabotAlert>[0]>) =>
  dependabotAlert({ owner: "octo-org", name, baseUrl: github.url, installationId: 42, ...advisory });

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), "pw-e2e-advisory-"));
  greeter = await createFixtureRepo({ root: path.join(root, "git"), owner: "octo-org", name: "greeter", files: lodashProject() });
  render = await createFixtureRepo({ root: path.join(root, "git"), owner: "octo-org", name: "render", files: markedProject("3.0.8") });
  github = await startFakeGitHub({ gitRoot: path.join(root, "git") });
  github.repos.set("octo-org/greeter", { defaultBranch: "main", roles: {}, runs: {}, issues: {}, alerts: [alert("greeter", ADVISORIES.lodash)["alert"] as Record<string, unknown>] });
  github.repos.set("octo-org/render", { defaultBranch: "main", roles: {}, runs: {}, issues: {}, alerts: [alert("render", { ...ADVISORIES.marked, alertNumber: 3 })["alert"] as Record<string, unknown>] });
  model = await startScriptedModel([
    toolCall("read_file", { path: "src/render.js" }),
    toolCall("finish", { summary: "Root cause: marked 4 removed its default export.\nFiles: src/render.js\nConfidence: high\nFix idea: import the named `marked` export." }),
    toolCall("edit_file", { path: "src/render.js", old_string: 'const marked = require("marked");', new_string: 'const { marked } = require("marked");' }),
    toolCall("run_command", { command: "npm test" }),
    toolCall("finish", { summary: "marked 4 has no default export: src/render.js now imports the named `marked` export; npm test passes." }),
  ]);
  app = await startAppProcess(appEnv({ githubHost: github.host, modelBaseURL: model.baseURL, webhookSecret: SECRET, modelKey: MODEL_KEY, dataDir: path.join(root, "data") }));
});

afterAll(async () => {
  await app?.stop();
  await model?.close();
  await github?.close();
  rmSync(root, { recursive: true, force: true });
});

const lockVersion = async (bareDir: string, branch: string, name: string) =>
  (JSON.parse(await showFile(bareDir, branch, "package-lock.json")) as { packages: Record<string, { version: string }> }).packages[`node_modules/${name}`]?.version;

describe("a Dependabot alert becomes a pull request", () => {
  it(
    "upgrades lodash to the patched release, once, with a lockfile that resolves it and tests that pass",
    async () => {
      const pulled = once(github.events, "pull");
      const started = Date.now();
      const payload = alert("greeter", ADVISORIES.lodash);
      expect((await sendWebhook(app.url, { name: "dependabot_alert", payload, delivery: "alert-1", secret: SECRET })).status).toBe(200);
      // A redelivery, and the same package alerted again while the job is queued: still one job.
      expect((await sendWebhook(app.url, { name: "dependabot_alert", payload, delivery: "alert-1", secret: SECRET })).status).toBe(200);
      expect((await sendWebhook(app.url, { name: "dependabot_alert", payload: alert("greeter", { ...ADVISORIES.lodash, action: "reopened" }), delivery: "alert-2", secret: SECRET })).status).toBe(200);

      const [pr] = (await pulled) as [FakeGitHub["pulls"][number]];
      console.log(`alert → PR: ${Date.now() - started} ms`);
      const branch = "patchwright/bump-lodash-4.17.21";
      expect(pr).toMatchObject({ repo: "octo-org/greeter", head: branch, base: "main", title: "[security] bump lodash from 4.17.20 to 4.17.21 (GHSA-35jh-r3h4-6jhm)" });
      expect(pr.body).toContain(`[GHSA-35jh-r3h4-6jhm](${github.url}/advisories/GHSA-35jh-r3h4-6jhm)`);
      expect(pr.body).toContain("| after the upgrade | `npm test` | 0 ✅ |");

      // The pushed branch: the lockfile resolves 4.17.21, the rest is untouched, main too.
      expect(await lockVersion(greeter.bareDir, branch, "lodash")).toBe("4.17.21");
      expect(await lockVersion(greeter.bareDir, branch, "ms")).toBe("2.1.2");
      expect(await git(["diff", "--name-only", "main", branch], greeter.bareDir)).toBe("package-lock.json\npackage.json");
      expect(await readBranchSha(greeter.bareDir, "main")).toBe(greeter.sha);
      const check = await github.waitFor((r) => r.method === "PATCH" && (r.body as { conclusion?: string })?.conclusion === "success" && r.path.includes("/greeter/"));
      expect(JSON.stringify(check.body)).toContain(`/pull/${pr.number}`);
      expect(github.pulls.filter((p) => p.repo === "octo-org/greeter")).toHaveLength(1);
    },
    SLOW,
  );

  it(
    "adapts the code when the upgrade is a breaking major, through the agent",
    async () => {
      const pulled = once(github.events, "pull");
      const res = await sendWebhook(app.url, { name: "dependabot_alert", payload: alert("render", { ...ADVISORIES.marked, alertNumber: 3 }), delivery: "alert-3", secret: SECRET });
      expect(res.status).toBe(200);
      const [pr] = (await pulled) as [FakeGitHub["pulls"][number]];
      const branch = "patchwright/bump-marked-4.0.10";
      expect(pr).toMatchObject({ repo: "octo-org/render", head: branch, title: "[security] bump marked from 3.0.8 to 4.0.10 (GHSA-rrrm-qjm4-v8hf)" });
      expect(pr.body).toContain("⚠️ **major upgrade**");
      expect(pr.body).toContain("| after the code changes | `npm test` | 0 ✅ |");
      expect(await lockVersion(render.bareDir, branch, "marked")).toBe("4.0.10");
      expect(await showFile(render.bareDir, branch, "src/render.js")).toBe(RENDER_JS_FIXED);
      expect(model.stepsUsed()).toBe(5);
    },
    SLOW,
  );

  it("answers an advisory of an ecosystem it does not upgrade yet on a check run", async () => {
    const res = await sendWebhook(app.url, {
      name: "dependabot_alert",
      payload: alert("greeter", { alertNumber: 9, ecosystem: "pip", packageName: "django", manifestPath: "requirements.txt", ghsaId: "GHSA-2gwj-7jmv-h26r", vulnerabilities: [{ range: "< 4.0.6", firstPatched: "4.0.6" }] }),
      delivery: "alert-4",
      secret: SECRET,
    });
    expect(res.status).toBe(200);
    const check = await github.waitFor((r) => r.method === "POST" && r.path.endsWith("/greeter/check-runs") && (r.body as { conclusion?: string }).conclusion === "neutral");
    expect(JSON.stringify(check.body)).toContain("Not supported yet: pip advisory GHSA-2gwj-7jmv-h26r");
  });

  it("never lets a secret out: not to the model, not to GitHub, not to the logs", () => {
    const outbound = [JSON.stringify(model.requests), JSON.stringify(github.requests.map((r) => r.body)), app.logs.join("\n")];
    for (const text of outbound) {
      expect(text).not.toContain(github.token);
      expect(text).not.toContain(MODEL_KEY);
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain("PRIVATE KEY");
    }
  });
});
