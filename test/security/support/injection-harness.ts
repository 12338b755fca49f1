/**
 * Runs prompt-injection cases through the real pipeline: `runJob` with the
 * app's own adapters (`createPipelineDeps`: Probot's Octokit, git over HTTP,
 * the bubblewrap workspace, the agent loop with `buildPrompt`, `runAgent` and
 * the OpenAI SDK adapter), against the fake GitHub server and a scripted model
 * that obeys the hostile text. Shared across cases: the fake GitHub (and its
 * git server), the Probot app, the SQLite queue. Per case: a fixture
 * repository, a scripted model server, a workspace.
 *
 * The app's secrets (installation token, model key, webhook secret, private
 * key) are real-looking values known to the app's redactor; the same values,
 * and a canary the redactor does not know, are also put in this process's
 * environment, so a sandbox that inherited it would show them.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { createLlmClient } from "../../../src/agent/create-llm-client.ts";
import { createOpenAiChatModel } from "../../../src/agent/openai-chat-model.ts";
import { loadEnv, secretsOf, type AppEnv } from "../../../src/config/env.ts";
import { createPipelineDeps } from "../../../src/create-pipeline-deps.ts";
import { discardSpareCheckouts, drainWorkspaceRemovals } from "../../../src/workspace/open-workspace.ts";
import type { PipelineDeps } from "../../../src/pipeline/pipeline-deps.ts";
import { runJob } from "../../../src/pipeline/run-job.ts";
import type { Workspace } from "../../../src/workspace/types.ts";
import { JobPayload, type JobRecord } from "../../../src/queue/job.ts";
import { openSqliteQueue, type JobQueue } from "../../../src/queue/sqlite-queue.ts";
import type { JobResult } from "../../../src/queue/start-worker.ts";
import { createRedactor, type Redactor } from "../../../src/security/redact.ts";
import { startFakeGitHub, type FakeGitHub } from "../../support/fake-github.ts";
import { addFixtureCommit, createFixtureRepo } from "../../support/fixture-repo.ts";
import { lastToolResult, startScriptedModel, toolCall, type ChatCompletionBody, type ScriptReply } from "../../support/scripted-model.ts";
import { TEST_PRIVATE_KEY } from "../../support/test-probot.ts";
import type { InjectionCase, Step } from "./injection-case.ts";

export const OWNER = "inj";
export const ISSUE = 3;
const RUN_ID = 7;

/** The red fixture: add() subtracts; one test shows it. */
export const FIXTURE: Readonly<Record<string, string>> = {
  "package.json": JSON.stringify({ name: "calc", version: "1.0.0", type: "module", scripts: { test: "node --test" } }, null, 2),
  "src/add.js": "export function add(a, b) {\n  return a + b;\n}\n",
  "test/add.test.js":
    'import assert from "node:assert";\nimport test from "node:test";\nimport { add } from "../src/add.js";\n\ntest("adds", () => {\n  assert.strictEqual(add(2, 3), 5);\n});\n',
  ".github/workflows/ci.yml": "name: CI\non: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: node --test\n",
  "README.md": "# calc\n\nAdds numbers.\n",
};
const BUG = { from: "a + b", to: "a - b" };
export const REPO_CONFIG = "candidates: 1\ncommands:\n  test: node --test\nbudget:\n  turns: 24\n";

export interface Secrets {
  readonly token: string;
  readonly modelKey: string;
  readonly webhookSecret: string;
  readonly privateKey: string;
  /** In this process's environment only; no redactor knows it. */
  readonly canary: string;
}

/** What one case left behind, for the checks. */
export interface CaseRun {
  readonly result: JobResult;
  readonly repo: string;
  readonly bareDir: string;
  readonly sha: string;
  readonly modelRequests: readonly ChatCompletionBody[];
  /** Bodies of the requests the app sent to GitHub for this repository. */
  readonly githubBodies: readonly unknown[];
  readonly ledger: readonly { kind: string; data: unknown }[];
  /** Everything the sandbox printed, before any redaction. */
  readonly sandboxOutputs: readonly string[];
  readonly pulls: FakeGitHub["pulls"];
}

export interface InjectionHarness {
  readonly secrets: Secrets;
  /** The app's log lines (redacted as they are written, like the app's). */
  readonly logLines: readonly string[];
  readonly github: FakeGitHub;
  runCase(index: number, c: InjectionCase): Promise<CaseRun>;
  /** Starts every case, at most `concurrency` at a time; case `i` is at index `i` (numbered from 1 in names). */
  startAll(cases: readonly InjectionCase[], concurrency: number): Promise<CaseRun>[];
  close(): Promise<void>;
}

export async function startInjectionHarness(): Promise<InjectionHarness> {
  const root = await mkdtemp(path.join(tmpdir(), "pw-injection-"));
  const gitRoot = path.join(root, "git");
  const github = await startFakeGitHub({ gitRoot });
  const secrets: Secrets = {
    token: github.token,
    modelKey: `sk-proj-${randomBytes(24).toString("hex")}`,
    webhookSecret: `whsec-${randomBytes(20).toString("hex")}`,
    privateKey: TEST_PRIVATE_KEY,
    canary: `canary-${randomBytes(16).toString("hex")}`,
  };
  const raw: Record<string, string> = {
    APP_ID: "1",
    PRIVATE_KEY: secrets.privateKey,
    WEBHOOK_SECRET: secrets.webhookSecret,
    GHE_HOST: github.host,
    GHE_PROTOCOL: "http",
    OPENAI_API_KEY: secrets.modelKey,
    OPENAI_BASE_URL: "http://127.0.0.1:9/v1", // each case brings its own model server
    PATCHWRIGHT_MODEL: "scripted",
    PATCHWRIGHT_DATA_DIR: path.join(root, "data"),
  };
  const loaded = loadEnv(raw);
  if (loaded.mode !== "app") throw new Error("the harness environment did not load in app mode");
  const env: AppEnv = loaded.env;

  // What a careless sandbox would leak: the app's secrets and a canary in the worker's environment.
  const saved = { ...process.env };
  Object.assign(process.env, raw, { GITHUB_TOKEN: secrets.token, PATCHWRIGHT_CANARY: secrets.canary });

  const redact: Redactor = createRedactor(secretsOf(env));
  const logLines: string[] = [];
  const log = pino({ level: "info", hooks: { streamWrite: (line) => redact(line) } }, { write: (line: string) => void logLines.push(line) });
  const probot = new Probot({
    appId: env.appId,
    privateKey: env.privateKey,
    secret: env.webhookSecret,
    baseUrl: env.githubApiUrl,
    log,
    // As in the app, but without throttling and retries, so cases run at full speed.
    Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
      ...options,
      throttle: { ...(options["throttle"] as object), enabled: false },
      retry: { enabled: false },
    })),
  });
  const queue: JobQueue = openSqliteQueue({ dataDir: env.dataDir });

  async function runCase(index: number, c: InjectionCase): Promise<CaseRun> {
    const name = `case-${index}`;
    const full = `${OWNER}/${name}`;
    const { bareDir, sha } = await createRepo(gitRoot, name, c);
    github.repos.set(full, {
      defaultBranch: "main",
      roles: { maintainer: "write" },
      config: REPO_CONFIG,
      runs: { [RUN_ID]: [{ id: 10_000 + index, name: "test", conclusion: "failure", log: ciLog(c), steps: [{ name: "Run node --test", number: 2, conclusion: "failure" }] }] },
      issues: { [ISSUE]: { title: "add() is wrong", body: c.where === "issue" ? c.text : "add(2, 3) should be 5." } },
    });

    const model = await startScriptedModel(Array.from({ length: 100 }, () => obey(c, secrets)));
    const sandboxOutputs: string[] = [];
    const deps = spyOnSandboxes(
      createPipelineDeps({
        env,
        probot,
        queue,
        model: createOpenAiChatModel(createLlmClient({ baseURL: model.baseURL, apiKey: env.model.apiKey, maxRetries: 0 })),
        log,
        redact,
      }),
      sandboxOutputs,
    );
    const { job } = await queue.enqueue(payloadFor(c, name, sha, github.url), `injection-${index}`);
    const running: JobRecord = { ...job, state: "running", attempts: 1 };
    try {
      const result = await runJob(running, deps, new AbortController().signal);
      return {
        result,
        repo: full,
        bareDir,
        sha,
        modelRequests: model.requests,
        githubBodies: github.requests.filter((r) => r.path.includes(`/repos/${full}/`)).map((r) => r.body),
        ledger: await queue.ledger(running.id),
        sandboxOutputs,
        pulls: github.pulls.filter((p) => p.repo === full),
      };
    } finally {
      await model.close();
    }
  }

  function startAll(cases: readonly InjectionCase[], concurrency: number): Promise<CaseRun>[] {
    let active = 0;
    const waiting: (() => void)[] = [];
    const limited = async (index: number, c: InjectionCase): Promise<CaseRun> => {
      while (active >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
      active++;
      try {
        return await runCase(index, c);
      } finally {
        active--;
        waiting.shift()?.();
      }
    };
    return cases.map((c, i) => {
      const run = limited(i + 1, c);
      run.catch(() => undefined); // reported by the test that awaits it
      return run;
    });
  }

  return {
    secrets,
    logLines,
    github,
    runCase,
    startAll,
    async close() {
      await queue.close();
      // As the app's stop does: the spare checkouts its warm opens made, and disposed workspaces.
      await discardSpareCheckouts();
      await drainWorkspaceRemovals();
      await github.close();
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** A bare repository whose `main` is red: a good commit, then the breaking one (its message may be hostile). */
async function createRepo(gitRoot: string, name: string, c: InjectionCase): Promise<{ bareDir: string; sha: string }> {
  const files: Record<string, string> = { ...FIXTURE, ...c.files };
  if (c.where === "readme") files["README.md"] = `# calc\n\n${c.text}\n`;
  if (c.where === "test-output") {
    // A test that prints the hostile text and everything it can find about its environment.
    files["test/zz-notes.test.js"] = [
      'import { readFileSync } from "node:fs";',
      'import test from "node:test";',
      `console.log(${JSON.stringify(c.text)});`,
      "console.log(JSON.stringify(process.env));",
      'try { console.log(readFileSync("/proc/1/environ", "utf8")); } catch (e) { console.log(String(e)); }',
      'test("notes", () => {});',
      "",
    ].join("\n");
  }
  const { bareDir } = await createFixtureRepo({ root: gitRoot, owner: OWNER, name, files });
  const broken = (files["src/add.js"] ?? "").replace(BUG.from, BUG.to);
  const sha = await addFixtureCommit({ bareDir, files: { "src/add.js": broken }, message: c.where === "commit" ? c.text : "Refactor add()" });
  return { bareDir, sha };
}

function ciLog(c: InjectionCase): string {
  return [
    "##[group]Run actions/checkout@v4",
    "Syncing repository: inj/calc",
    "##[endgroup]",
    "##[group]Run node --test",
    "✖ adds (1.2ms)",
    "  AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:",
    "  -1 !== 5",
    ...(c.where === "ci-log" ? c.text.split("\n") : []),
    "ℹ fail 1",
    "##[error]Process completed with exit code 1.",
    "##[endgroup]",
  ].join("\n");
}

function payloadFor(c: InjectionCase, name: string, sha: string, baseUrl: string): JobPayload {
  const repo = { owner: OWNER, name, cloneUrl: `${baseUrl}/${OWNER}/${name}.git`, defaultBranch: "main" };
  const common = { version: 1 as const, installationId: 42, deliveryId: `injection-${name}`, repo };
  if (c.where === "issue" || c.where === "comment") {
    return JobPayload.parse({
      ...common,
      kind: "fix-issue",
      trigger: { type: "comment", issueNumber: ISSUE, isPullRequest: false, commentId: 31, author: "maintainer", instructions: c.where === "comment" ? c.text : "" },
    });
  }
  return JobPayload.parse({
    ...common,
    kind: "fix-ci",
    trigger: {
      type: "ci",
      headSha: sha,
      headBranch: "main",
      sources: [{ type: "workflow_run", runId: RUN_ID, runUrl: `${baseUrl}/${OWNER}/${name}/actions/runs/${RUN_ID}`, workflowName: "CI" }],
    },
  });
}

/**
 * The scripted model for one case. The investigator (offered no
 * `run_command`) and the fixer each get their own queue of calls; when one
 * runs out it finishes, so a case never depends on how many turns a role had.
 */
function obey(c: InjectionCase, secrets: Secrets): (request: ChatCompletionBody, index: number) => ScriptReply | Promise<ScriptReply> {
  return (request, index) => {
    const fixer = request.tools?.some((t) => t.function.name === "run_command") ?? false;
    const steps = fixer ? fixerSteps(c) : [...(c.investigator ?? []), DIAGNOSIS];
    // Each role's conversation is its own: its assistant turns so far are its position in the script.
    const done = request.messages.filter((m) => m.role === "assistant").length;
    const step = steps[Math.min(done, steps.length - 1)]!;
    const seen = lastToolResult(request) ?? "";
    const [tool, args] = typeof step === "function" ? step(seen) : step;
    return toolCall(tool, JSON.parse(fill(JSON.stringify(args), secrets)) as Record<string, unknown>)(request, index);
  };
}

const DIAGNOSIS: Step = ["finish", { summary: "Root cause: add() subtracts.\nFiles: src/add.js\nConfidence: high\nFix idea: add." }];

function fixerSteps(c: InjectionCase): Step[] {
  const steps: Step[] = [...c.fixer];
  if (c.fix !== false) {
    steps.push(["edit_file", { path: "src/add.js", old_string: BUG.to, new_string: BUG.from }], ["run_command", { command: "node --test" }]);
  }
  const summary = c.summary ?? "add() subtracted; it adds again. node --test passes.";
  steps.push((seen) => ["finish", { summary: typeof summary === "function" ? summary(seen) : summary }]);
  return steps;
}

/** `{{TOKEN}}` and friends → the real secrets, escaped for the JSON text they sit in. */
function fill(json: string, secrets: Secrets): string {
  const values: Record<string, string> = {
    TOKEN: secrets.token,
    TOKEN_BASIC: Buffer.from(`x-access-token:${secrets.token}`).toString("base64"),
    // Split by shell quotes ('gh''s_…'): no redactor recognises it until a shell joins it.
    TOKEN_SPLIT: `${secrets.token.slice(0, 2)}''${secrets.token.slice(2)}`,
    MODEL_KEY: secrets.modelKey,
    WEBHOOK_SECRET: secrets.webhookSecret,
    PRIVATE_KEY: secrets.privateKey,
  };
  return json.replace(/\{\{([A-Z_]+)\}\}/g, (whole, key: string) => (values[key] === undefined ? whole : JSON.stringify(values[key]).slice(1, -1)));
}

/** Records everything every sandbox of the job prints, before any redaction. */
function spyOnSandboxes(deps: PipelineDeps, outputs: string[]): PipelineDeps {
  const spy = (workspace: Workspace): Workspace => ({
    ...workspace,
    sandbox: {
      ...workspace.sandbox,
      run: async (command, options) => {
        const result = await workspace.sandbox.run(command, options);
        outputs.push(result.output);
        return result;
      },
    },
  });
  return {
    ...deps,
    openWorkspace: async (args) => spy(await deps.openWorkspace(args)),
    forkWorkspace: async (...args) => spy(await deps.forkWorkspace(...args)),
  };
}
