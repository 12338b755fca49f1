import { mkdtempSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import nock from "nock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseAlert, type AlertLike } from "../../src/advisories/parse-alert.ts";
import { createLlmClient } from "../../src/agent/create-llm-client.ts";
import { createOpenAiChatModel } from "../../src/agent/openai-chat-model.ts";
import { runRole } from "../../src/agent/run-role.ts";
import type { FixOutcome, FixRequest } from "../../src/agent/fix-request.ts";
import type { PipelineDeps } from "../../src/pipeline/pipeline-deps.ts";
import { runJob } from "../../src/pipeline/run-job.ts";
import type { JobRecord } from "../../src/queue/job.ts";
import { createRedactor } from "../../src/security/redact.ts";
import { pipelineTestDeps } from "../support/pipeline-test-deps.ts";
import { addFixtureCommit, createFixtureRepo, git, showFile } from "../support/fixture-repo.ts";
import { startGitHttpServer } from "../support/git-http-server.ts";
import { dependabotAlert, runningJob } from "../support/payloads.ts";
import { lastToolResult, startScriptedModel, toolCall, type ScriptedModel } from "../support/scripted-model.ts";
import { ADVISORIES, RENDER_JS_FIXED, lodashProject, markedProject } from "./fixtures.ts";

/**
 * The bump job end to end below the webhook: real git over HTTP, the real
 * sandbox, the REAL npm registry (versions, lockfile, `npm ci`), the real
 * agent loop against a scripted model; GitHub is nock.
 */

const API = "https://api.github.com";
const TOKEN = "ghs_bumpjobtesttoken00000000000000000";
const DEPENDABOT_BRANCH = "dependabot/npm_and_yarn/marked-4.0.10";
const SLOW = 240_000;

let root: string;
let server: Awaited<ReturnType<typeof startGitHttpServer>>;
let greeter: { sha: string; bareDir: string };
let render: { sha: string; bareDir: string };
let dependabotSha: string;
let ledger: [string, unknown][];

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), "pw-bump-job-"));
  greeter = await createFixtureRepo({ root, owner: "o", name: "greeter", files: lodashProject() });
  render = await createFixtureRepo({ root, owner: "o", name: "render", files: markedProject("3.0.8") });
  // Dependabot's branch: marked 4.0.10 in the manifest and lockfile, the code untouched (so its tests fail).
  const marked4 = markedProject("4.0.10");
  await git(["branch", DEPENDABOT_BRANCH, "main"], render.bareDir);
  dependabotSha = await addFixtureCommit({
    bareDir: render.bareDir,
    branch: DEPENDABOT_BRANCH,
    files: { "package.json": marked4["package.json"]!, "package-lock.json": marked4["package-lock.json"]! },
    message: "Bump marked from 3.0.8 to 4.0.10",
  });
  server = await startGitHttpServer({ projectRoot: root, token: TOKEN });
});
afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});
beforeEach(() => {
  ledger = [];
});

type Advisory = NonNullable<Parameters<typeof dependabotAlert>[0]>;

function alert(repo: string, advisory: Advisory): Record<string, unknown> {
  return dependabotAlert({ owner: "o", name: repo, ...advisory })["alert"] as Record<string, unknown>;
}

function job(repo: string, advisory: Advisory): JobRecord {
  const parsed = parseAlert(alert(repo, advisory) as unknown as AlertLike);
  if (!parsed.ok) throw new Error(parsed.reason);
  return runningJob({
    version: 1,
    kind: "bump-dependency",
    installationId: 42,
    deliveryId: "d",
    repo: { owner: "o", name: repo, cloneUrl: `${server.url}/o/${repo}.git`, defaultBranch: "main" },
    trigger: parsed.trigger,
  }, { id: 7 });
}

function deps(fix: (request: FixRequest) => Promise<FixOutcome>): PipelineDeps & { opened: string[] } {
  const opened: string[] = [];
  // No mirror cache: each workspace is a fresh clone; forks clone too (the upgrade path uses one fixer).
  const base = pipelineTestDeps({ token: TOKEN, fix, evidence: "" });
  return {
    ...base,
    opened,
    openWorkspace: (a) => (opened.push(a.sha), base.openWorkspace(a)),
    forkWorkspace: (_base, a) => base.openWorkspace(a),
    ledger: (_id, kind, data) => void ledger.push([kind, data]),
    usage: { ...base.usage, cost: () => 0, tokensFor: () => Number.POSITIVE_INFINITY },
  };
}

const noFix = async (): Promise<FixOutcome> => {
  throw new Error("the agent must not run");
};

/** Config (none, or the given YAML), the default branch's head, and the package's open alerts. */
function repoBasics(repo: string, head: string, alerts: Record<string, unknown>[], config?: string) {
  if (config === undefined) nock(API).get(`/repos/o/${repo}/contents/.github%2Fpatchwright.yml`).reply(404, {});
  else nock(API).get(`/repos/o/${repo}/contents/.github%2Fpatchwright.yml`).reply(200, config);
  if (config === undefined) nock(API).get("/repos/o/.github/contents/.github%2Fpatchwright.yml").reply(404, {});
  nock(API).get(`/repos/o/${repo}/branches/main`).reply(200, { name: "main", commit: { sha: head } });
  const pkg = (alerts[0]?.["dependency"] as { package: { name: string } } | undefined)?.package.name;
  nock(API).get(`/repos/o/${repo}/dependabot/alerts`).query({ state: "open", ecosystem: "npm", package: pkg, per_page: "100" }).reply(200, alerts);
}

function noInstructions(repo: string) {
  nock(API).get(`/repos/o/${repo}/contents/AGENTS.md`).query({ ref: "main" }).reply(404, {});
  nock(API).get(`/repos/o/${repo}/contents/.github%2Fcopilot-instructions.md`).query({ ref: "main" }).reply(404, {});
}

/** The check run the job opens, and every update of it. */
function checkRun(repo: string, id: number): Record<string, unknown>[] {
  const bodies: Record<string, unknown>[] = [];
  nock(API).post(`/repos/o/${repo}/check-runs`, (b) => bodies.push(b) > 0).reply(201, { id });
  nock(API).patch(`/repos/o/${repo}/check-runs/${id}`, (b) => bodies.push(b) > 0).reply(200, {});
  return bodies;
}

function pullRequest(repo: string, number: number): { body?: Record<string, string> } {
  const seen: { body?: Record<string, string> } = {};
  nock(API)
    .post(`/repos/o/${repo}/pulls`, (b) => Boolean((seen.body = b)))
    .reply(201, { number, html_url: `https://github.com/o/${repo}/pull/${number}` });
  return seen;
}

const lockVersion = async (bareDir: string, branch: string, name: string) =>
  (JSON.parse(await showFile(bareDir, branch, "package-lock.json")) as { packages: Record<string, { version: string }> }).packages[`node_modules/${name}`]?.version;

describe("runBumpJob", () => {
  it(
    "upgrades a direct dependency and opens a [security] PR whose lockfile resolves the patched version",
    async () => {
      repoBasics("greeter", greeter.sha, [alert("greeter", ADVISORIES.lodash)]);
      nock(API).get("/repos/o/greeter/pulls").query({ state: "open", per_page: "100" }).reply(200, []);
      const check = checkRun("greeter", 901);
      nock(API).get("/repos/o/greeter/pulls").query({ head: "o:patchwright/bump-lodash-4.17.21", state: "open" }).reply(200, []);
      const pr = pullRequest("greeter", 21);

      const result = await runJob(job("greeter", ADVISORIES.lodash), deps(noFix), new AbortController().signal);

      expect(result).toEqual({ state: "succeeded", summary: "https://github.com/o/greeter/pull/21" });
      expect(pr.body).toMatchObject({ title: "[security] bump lodash from 4.17.20 to 4.17.21 (GHSA-35jh-r3h4-6jhm)", head: "patchwright/bump-lodash-4.17.21", base: "main" });
      const body = pr.body!["body"]!;
      for (const part of [
        "[GHSA-35jh-r3h4-6jhm](https://github.com/advisories/GHSA-35jh-r3h4-6jhm)",
        "(CVE-2021-23337)",
        "severity **high**",
        "Command Injection in lodash",
        "[Alert #12](https://github.com/o/greeter/security/dependabot/12)",
        "`lodash` 4.17.20 → **4.17.21**, direct dependency (`^4.17.20` → `^4.17.21`)",
        "smallest published release of lodash outside the vulnerable range (`< 4.17.21`) in the current major (4.x)",
        "+ `lodash@4.17.21`",
        "| after the upgrade | `npm test` | 0 ✅ |",
        "None: the tests pass with the new version as they are.",
        // The cost line every Patchwright PR carries: no model call for a bump whose tests pass.
        "Opened by Patchwright for a Dependabot alert · 0 tokens · $0.00.",
      ])
        expect(body).toContain(part);
      expect(body).not.toContain(TOKEN);

      // The branch: one commit on main, package.json and the lockfile at 4.17.21, nothing else.
      const branch = "patchwright/bump-lodash-4.17.21";
      expect(await lockVersion(greeter.bareDir, branch, "lodash")).toBe("4.17.21");
      expect(await lockVersion(greeter.bareDir, branch, "ms")).toBe("2.1.2");
      expect(await git(["rev-parse", `${branch}~1`], greeter.bareDir)).toBe(greeter.sha);
      expect(await git(["diff", "--name-only", "main", branch], greeter.bareDir)).toBe("package-lock.json\npackage.json");
      expect(check[0]).toMatchObject({ head_sha: greeter.sha, status: "in_progress", name: "Patchwright" });
      expect(check.at(-1)).toMatchObject({ conclusion: "success", details_url: "https://github.com/o/greeter/pull/21" });
      expect(ledger.map(([k]) => k).filter((k) => !k.startsWith("upgrade.") && k !== "stage")).toEqual(["start", "advisory", "workspace", "upgrade", "toolchain", "reproduce", "deliver", "report"]);
    },
    SLOW,
  );

  it(
    "adapts the code when the upgrade breaks it: the real agent, a scripted model, the changelog and the failure as evidence",
    async () => {
      const model: ScriptedModel = await startScriptedModel([
        // The investigator reads, then diagnoses.
        toolCall("read_file", { path: "src/render.js" }),
        toolCall("finish", { summary: "Root cause: marked 4 has no default export, so `marked(...)` is not a function.\nFiles: src/render.js\nConfidence: high\nFix idea: use the named export." }),
        // The fixer changes the import and runs the tests.
        toolCall("edit_file", { path: "src/render.js", old_string: 'const marked = require("marked");', new_string: 'const { marked } = require("marked");' }),
        toolCall("run_command", { command: "npm test" }),
        (request) => toolCall("finish", { summary: `marked 4 dropped its default export; src/render.js now uses the named \`marked\` export. ${/# pass 1/.test(lastToolResult(request) ?? "") ? "npm test passes." : "npm test still fails."}` })(request, 4),
      ]);
      try {
        repoBasics("render", render.sha, [alert("render", ADVISORIES.marked)]);
        nock(API).get("/repos/o/render/pulls").query({ state: "open", per_page: "100" }).reply(200, []);
        noInstructions("render");
        const check = checkRun("render", 902);
        nock(API).get("/repos/o/render/pulls").query({ head: "o:patchwright/bump-marked-4.0.10", state: "open" }).reply(200, []);
        const pr = pullRequest("render", 22);
        const llm = createOpenAiChatModel(createLlmClient({ baseURL: model.baseURL, apiKey: "sk-scripted-test-key-000000" }));
        const redact = createRedactor([TOKEN]);

        const result = await runJob(job("render", ADVISORIES.marked), deps((request) => runRole(request, { model: llm, modelName: "scripted", redact })), new AbortController().signal);

        expect(result).toEqual({ state: "succeeded", summary: "https://github.com/o/render/pull/22" });
        expect(model.stepsUsed()).toBe(5);
        // What the agent was told: the upgrade (protected), the advisory, and the failure.
        const first = JSON.stringify(model.requests[0]);
        expect(first).toContain("GHSA-rrrm-qjm4-v8hf");
        expect(first).toContain("marked 3.0.8 -> 4.0.10 (major upgrade: breaking changes expected)");
        expect(first).toContain("marked is not a function");
        expect(first).toContain("never downgrade, pin back or work around the upgraded package");

        const body = pr.body!["body"]!;
        if (process.env["SHOW_PR"]) console.log(body);
        expect(pr.body).toMatchObject({ title: "[security] bump marked from 3.0.8 to 4.0.10 (GHSA-rrrm-qjm4-v8hf)", head: "patchwright/bump-marked-4.0.10", base: "main" });
        for (const part of [
          "— ⚠️ **major upgrade**",
          "No 3.x release of marked is outside the vulnerable range",
          "| after the upgrade | `npm test` | 1 ❌ |",
          "| after the code changes | `npm test` | 0 ✅ |",
          "src/render.js now uses the named `marked` export. npm test passes.",
          "- `src/render.js` (+1 −1)",
          "Root cause: marked 4 has no default export",
        ])
          expect(body).toContain(part);

        // Two commits: the upgrade, then the code.
        const branch = "patchwright/bump-marked-4.0.10";
        expect(await lockVersion(render.bareDir, branch, "marked")).toBe("4.0.10");
        expect(await showFile(render.bareDir, branch, "src/render.js")).toBe(RENDER_JS_FIXED);
        expect(await git(["log", "--format=%s", `main..${branch}`], render.bareDir)).toBe(
          "Adapt the code to marked's new version\n[security] bump marked from 3.0.8 to 4.0.10 (GHSA-rrrm-qjm4-v8hf)",
        );
        expect(check.at(-1)).toMatchObject({ conclusion: "success" });
      } finally {
        await model.close();
      }
    },
    SLOW,
  );

  it(
    "fixes the tests of Dependabot's own PR instead of opening a second upgrade, with a PR onto its branch",
    async () => {
      repoBasics("render", render.sha, [alert("render", ADVISORIES.marked)], "candidates: 1\n");
      nock(API)
        .get("/repos/o/render/pulls")
        .query({ state: "open", per_page: "100" })
        .reply(200, [
          { number: 30, title: "Add a feature", html_url: "https://github.com/o/render/pull/30", user: { login: "octocat" }, head: { ref: "feature", sha: "a".repeat(40), repo: { full_name: "o/render" } }, base: { ref: "main" } },
          { number: 31, title: "Bump marked from 3.0.8 to 4.0.10", html_url: "https://github.com/o/render/pull/31", user: { login: "dependabot[bot]" }, head: { ref: DEPENDABOT_BRANCH, sha: dependabotSha, repo: { full_name: "o/render" } }, base: { ref: "main" } },
        ]);
      noInstructions("render");
      const check = checkRun("render", 903);
      const branch = `patchwright/fix-${dependabotSha.slice(0, 7)}`;
      nock(API).get("/repos/o/render/pulls").query({ head: `o:${branch}`, state: "open" }).reply(200, []);
      const pr = pullRequest("render", 32);
      const requests: FixRequest[] = [];
      const d = deps(async (request) => {
        requests.push(request);
        if (request.role === "fixer") await writeFile(path.join(request.workspace.dir, "src/render.js"), RENDER_JS_FIXED);
        return { status: "finished", summary: request.role === "fixer" ? "Use marked's named export." : "Root cause: no default export.", turns: 1, usage: { promptTokens: 1, completionTokens: 1 }, trace: [] };
      });

      const result = await runJob(job("render", ADVISORIES.marked), d, new AbortController().signal);

      expect(result).toEqual({ state: "succeeded", summary: "https://github.com/o/render/pull/32" });
      expect(d.opened).toEqual([dependabotSha]);
      expect(pr.body).toMatchObject({ head: branch, base: DEPENDABOT_BRANCH, title: "[security] fix the tests of #31: marked 3.0.8 → 4.0.10 (GHSA-rrrm-qjm4-v8hf)" });
      expect(pr.body!["body"]).toContain("Dependabot's #31 upgrades `marked` for it, and its tests fail");
      expect(pr.body!["body"]).toContain("| with this change | `npm test` | 0 ✅ |");
      expect(await showFile(render.bareDir, branch, "src/render.js")).toBe(RENDER_JS_FIXED);
      expect(await git(["rev-parse", `${branch}~1`], render.bareDir)).toBe(dependabotSha);
      // The upgrade's files were protected from the agent.
      expect(requests[0]?.config.protected_paths).toEqual(expect.arrayContaining(["package.json", "package-lock.json"]));
      expect(check[0]).toMatchObject({ head_sha: dependabotSha });
      expect(check.at(-1)).toMatchObject({ conclusion: "success", output: { title: "Fix for #31 proposed in #32" } });
    },
    SLOW,
  );

  it("comments on Dependabot's PR when its branch is not in this repository", async () => {
    repoBasics("render", render.sha, [alert("render", ADVISORIES.marked)]);
    nock(API)
      .get("/repos/o/render/pulls")
      .query({ state: "open", per_page: "100" })
      .reply(200, [{ number: 33, title: "Bump marked from 3.0.8 to 4.0.10", html_url: "https://github.com/o/render/pull/33", user: { login: "dependabot[bot]" }, head: { ref: DEPENDABOT_BRANCH, sha: dependabotSha, repo: { full_name: "fork/render" } }, base: { ref: "main" } }]);
    let comment = "";
    nock(API)
      .post("/repos/o/render/issues/33/comments", (b) => Boolean((comment = b.body)))
      .reply(201, { id: 1 });
    const d = deps(noFix);

    const result = await runJob(job("render", ADVISORIES.marked), d, new AbortController().signal);

    expect(result).toMatchObject({ state: "skipped" });
    expect(comment).toContain("this pull request already upgrades it, so Patchwright opens no other");
    expect(comment).toContain("Its branch is not in this repository");
    expect(d.opened).toEqual([]);
  });

  it("answers a non-npm advisory with 'not supported yet', without cloning", async () => {
    nock(API).get("/repos/o/greeter/contents/.github%2Fpatchwright.yml").reply(404, {});
    nock(API).get("/repos/o/.github/contents/.github%2Fpatchwright.yml").reply(404, {});
    nock(API).get("/repos/o/greeter/branches/main").reply(200, { name: "main", commit: { sha: greeter.sha } });
    let check: Record<string, unknown> = {};
    nock(API)
      .post("/repos/o/greeter/check-runs", (b) => Boolean((check = b)))
      .reply(201, { id: 904 });
    const d = deps(noFix);
    const pip = { packageName: "django", ecosystem: "pip", manifestPath: "requirements.txt", ghsaId: "GHSA-2gwj-7jmv-h26r", vulnerabilities: [{ range: ">= 4.0, < 4.0.6", firstPatched: "4.0.6" }] };

    const result = await runJob(job("greeter", pip), d, new AbortController().signal);

    expect(result).toEqual({ state: "skipped", summary: "pip is not supported yet" });
    expect(d.opened).toEqual([]);
    expect(check).toMatchObject({ head_sha: greeter.sha, status: "completed", conclusion: "neutral", output: { title: "Not supported yet: pip advisory GHSA-2gwj-7jmv-h26r" } });
    expect((check["output"] as { summary: string }).summary).toBe(
      "Upgrading Python dependencies (requirements.txt, Pipfile.lock, poetry.lock, uv.lock) is not supported yet: Patchwright upgrades npm dependencies only. Upgrade `django` to 4.0.6 or later in `requirements.txt` by hand, or let Dependabot open its security update.",
    );
  });

  it("stops when the alert was closed before the job ran", async () => {
    repoBasics("greeter", greeter.sha, [alert("greeter", { ...ADVISORIES.lodash, alertNumber: 99 })]);
    const d = deps(noFix);
    const result = await runJob(job("greeter", ADVISORIES.lodash), d, new AbortController().signal);
    expect(result).toEqual({ state: "skipped", summary: "alert #12 is no longer open" });
    expect(d.opened).toEqual([]);
  });
});
