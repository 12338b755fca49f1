import { runningJob } from "../support/payloads.ts";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import nock from "nock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FixOutcome, FixRequest } from "../../src/agent/fix-request.ts";
import type { PipelineDeps } from "../../src/pipeline/pipeline-deps.ts";
import { runJob } from "../../src/pipeline/run-job.ts";
import type { JobPayload, JobRecord } from "../../src/queue/job.ts";
import { pipelineTestDeps } from "../support/pipeline-test-deps.ts";
import { RED_CALC_FILES } from "../support/calc-fixture.ts";
import { addFixtureCommit, createFixtureRepo, git, readBranchSha, showFile } from "../support/fixture-repo.ts";
import { startGitHttpServer } from "../support/git-http-server.ts";

/**
 * The pipeline with real git, a real sandbox and a real workspace; GitHub is
 * nock, and the agent is a fake `fix` adapter that edits files the way a tool
 * call would.
 */

const API = "https://api.github.com";
const REPO = "/repos/o/calc";
const TOKEN = "ghs_pipelinetesttoken0000000000000000";
const FILES = RED_CALC_FILES;

let root: string;
let server: Awaited<ReturnType<typeof startGitHttpServer>>;
let red: { sha: string; bareDir: string };
let green: { sha: string; bareDir: string };
let ledger: [string, unknown][];
let spentToday = { tokens: 0, costUsd: 0 };

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), "pw-pipeline-"));
  red = await createFixtureRepo({ root, owner: "o", name: "calc", files: FILES });
  green = await createFixtureRepo({ root, owner: "o", name: "green", files: { ...FILES, "src/add.js": "export const add = (a, b) => a + b;\n" } });
  server = await startGitHttpServer({ projectRoot: root, token: TOKEN });
});
afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});
beforeEach(() => {
  ledger = [];
  spentToday = { tokens: 0, costUsd: 0 };
});

function job(payload: Partial<JobPayload> & { name?: string; sha?: string } = {}): JobRecord {
  const name = payload.name ?? "calc";
  return runningJob({
    version: 1,
    kind: "fix-ci",
    installationId: 42,
    deliveryId: "d",
    repo: { owner: "o", name, cloneUrl: `${server.url}/o/${name}.git`, defaultBranch: "main" },
    trigger: {
      type: "ci",
      headSha: payload.sha ?? red.sha,
      headBranch: "main",
      sources: [{ type: "workflow_run", runId: 7, runUrl: "https://github.com/o/calc/actions/runs/7", workflowName: "CI" }],
    },
    ...payload,
  }, { ackId: 555 });
}

function deps(fix: (request: FixRequest) => Promise<void>): PipelineDeps {
  // The app's way: a warm mirror per repository, a checkout per job.
  const base = pipelineTestDeps({
    token: TOKEN,
    root,
    fix: async (request): Promise<FixOutcome> => {
      if (request.role === "investigator") {
        return { status: "finished", summary: "Root cause: add subtracts.", turns: 1, usage: { promptTokens: 5, completionTokens: 5 }, trace: [] };
      }
      await fix(request);
      return { status: "finished", summary: "Fixed the operator in add().", turns: 2, usage: { promptTokens: 10, completionTokens: 5 }, trace: ["edit_file src/add.js"] };
    },
  });
  return { ...base, ledger: (_id, kind, data) => void ledger.push([kind, data]), usage: { ...base.usage, since: async () => spentToday } };
}

function noConfig(name = "calc", head = name === "calc" ? red.sha : green.sha) {
  nock(API).get(`/repos/o/${name}/contents/.github%2Fpatchwright.yml`).reply(404, {});
  nock(API).get(`/repos/o/.github/contents/.github%2Fpatchwright.yml`).reply(404, {});
  nock(API).get(`/repos/o/${name}/branches/main`).reply(200, { name: "main", commit: { sha: head } });
}

/** Instructions for agents are read from the default branch (none here). */
function noInstructions(name = "calc") {
  nock(API).get(`/repos/o/${name}/contents/AGENTS.md`).query({ ref: "main" }).reply(404, {});
  nock(API).get(`/repos/o/${name}/contents/.github%2Fcopilot-instructions.md`).query({ ref: "main" }).reply(404, {});
}

function checkRunUpdates(): Record<string, unknown>[] {
  const bodies: Record<string, unknown>[] = [];
  nock(API)
    .patch(`${REPO}/check-runs/555`, (b) => bodies.push(b) > 0)
    .times(2)
    .reply(200, {});
  return bodies;
}

const write = async (dir: string, file: string, content: string) => {
  await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
  await writeFile(path.join(dir, file), content);
};

describe("runFixJob", () => {
  it("drops a failure whose commit is no longer the branch head", async () => {
    noConfig("calc", "f".repeat(40));
    const bodies: Record<string, unknown>[] = [];
    nock(API).patch(`${REPO}/check-runs/555`, (b) => bodies.push(b) > 0).reply(200, {});
    let cloned = false;
    const d = deps(async () => {});
    const result = await runJob(job(), { ...d, openWorkspace: async (a) => ((cloned = true), d.openWorkspace(a)) }, new AbortController().signal);
    expect(result).toEqual({ state: "skipped", summary: "superseded" });
    expect(cloned).toBe(false);
    expect(bodies[0]).toMatchObject({ conclusion: "skipped", output: { title: "Superseded by a newer commit" } });
  });

  it("reproduces, fixes, verifies and delivers a PR from a patchwright/ branch", async () => {
    noConfig();
    noInstructions();
    const updates = checkRunUpdates();
    nock(API).get(`${REPO}/pulls`).query(true).reply(200, []);
    let opened: Record<string, unknown> = {};
    const pr = nock(API)
      .post(`${REPO}/pulls`, (b) => Boolean((opened = b)) && b.head === `patchwright/fix-${red.sha.slice(0, 7)}` && b.base === "main" && /exit code/.test(b.body) && !b.body.includes(TOKEN))
      .reply(201, { number: 12, html_url: "https://github.com/o/calc/pull/12" });
    const labels = nock(API).post(`${REPO}/issues/12/labels`, { labels: ["patchwright", "fix-ci"] }).reply(200, []);
    const result = await runJob(job(), deps(async ({ workspace }) => write(workspace.dir, "src/add.js", "export const add = (a, b) => a + b;\n")), new AbortController().signal);
    expect(result).toEqual({ state: "succeeded", summary: "https://github.com/o/calc/pull/12" });
    expect(pr.isDone()).toBe(true);
    expect(labels.isDone()).toBe(true);
    // A draft by default, titled by the fix's first sentence; each section once.
    expect(opened).toMatchObject({ draft: true, title: "Fix CI on main: Fix the operator in add()" });
    const body = String(opened["body"]);
    expect(body.match(/### Root cause/g)).toHaveLength(1);
    expect(body.match(/Output before/g)).toHaveLength(1);
    expect(body.match(/Output after/g)).toHaveLength(1);
    // The verified patch is in the ledger, for `patchwright replay`.
    const delivered = ledger.find(([k]) => k === "deliver")?.[1] as { patch?: string; draft?: boolean };
    expect(delivered).toMatchObject({ number: 12, draft: true });
    expect(delivered.patch).toContain("+export const add = (a, b) => a + b;");
    expect(updates.at(-1)).toMatchObject({ conclusion: "success", details_url: "https://github.com/o/calc/pull/12" });
    expect(await showFile(red.bareDir, `patchwright/fix-${red.sha.slice(0, 7)}`, "src/add.js")).toContain("a + b");
    expect(ledger.map(([k]) => k).filter((k) => k !== "stage")).toEqual(["evidence", "workspace", "toolchain", "reproduce", "diagnosis", "candidate", "candidate", "candidate", "deliver", "report"]);
    // Each stage's time, in order, the job's last one closed when it ended.
    // (Parallel candidates may go back and forth between fixing and verifying.)
    const stages = ledger.filter(([k]) => k === "stage").map(([, d]) => (d as { stage: string }).stage);
    expect(stages.slice(0, 7)).toEqual(["Admitting", "Gathering evidence", "Opening a workspace", "Reproducing the failure", "Trying known fixes", "Investigating", "Fixing"]);
    expect(stages).toContain("Verifying");
    expect(stages.at(-1)).toBe("Delivering");
    // Three candidates made the same fix: the first (smallest diff, then lowest number) wins.
    expect(ledger.filter(([k]) => k === "candidate").map(([, d]) => d)).toMatchObject([
      { index: 1, passed: true, changedLines: 2 },
      { index: 2, passed: true, changedLines: 2 },
      { index: 3, passed: true, changedLines: 2 },
    ]);
  });

  it("verifies three parallel candidates and chooses the passing one whose diff is allowed", async () => {
    noConfig();
    noInstructions();
    checkRunUpdates();
    nock(API).get(`${REPO}/pulls`).query(true).reply(200, []);
    let head = "";
    const pr = nock(API)
      .post(`${REPO}/pulls`, (b) => Boolean((head = b.head)) && /candidate 1: rejected: `\.github\/workflows\/ci\.yml` is protected/.test(b.body) && /candidate 2: rejected: `npm test` still fails/.test(b.body) && /candidate 3 \(chosen\): passed/.test(b.body))
      .reply(201, { number: 13, html_url: "https://github.com/o/calc/pull/13" });
    nock(API).post(`${REPO}/issues/13/labels`).reply(200, []);
    const result = await runJob(
      job(),
      deps(async ({ workspace, candidate }) => {
        if (candidate?.index === 1) {
          await write(workspace.dir, "src/add.js", "export const add = (a, b) => a + b;\n");
          await write(workspace.dir, ".github/workflows/ci.yml", "on: push\n");
        } else if (candidate?.index === 2) {
          await write(workspace.dir, "src/add.js", "export const add = (a, b) => a * b;\n");
        } else {
          await write(workspace.dir, "src/add.js", "// Adds two numbers.\nexport const add = (a, b) => a + b;\n");
        }
      }),
      new AbortController().signal,
    );
    expect(result.state).toBe("succeeded");
    expect(pr.isDone()).toBe(true);
    // An earlier test left a fix branch for this commit: it is never overwritten; this job gets its own.
    expect(head).toBe(`patchwright/fix-${red.sha.slice(0, 7)}-1`);
    expect(await showFile(red.bareDir, head, "src/add.js")).toContain("// Adds two numbers.");
    expect(await showFile(red.bareDir, `patchwright/fix-${red.sha.slice(0, 7)}`, "src/add.js")).not.toContain("// Adds two numbers.");
  });

  it("rejects a candidate that plants a nested repository and a link to a host secret, runs nothing of it on the host, and pushes the honest one", async () => {
    const repo = await createFixtureRepo({ root, owner: "o", name: "attacked", files: FILES });
    const marker = path.join(tmpdir(), `pw-pipeline-pwned-${process.pid}-${Date.now()}`);
    const secret = path.join(root, "host-secret.txt");
    await writeFile(secret, "host secret: never pushed\n");
    noConfig("attacked", repo.sha);
    noInstructions("attacked");
    nock(API).patch("/repos/o/attacked/check-runs/555").times(2).reply(200, {});
    nock(API).get("/repos/o/attacked/pulls").query(true).reply(200, []);
    let body = "";
    nock(API)
      .post("/repos/o/attacked/pulls", (b) => Boolean((body = b.body)))
      .reply(201, { number: 21, html_url: "https://github.com/o/attacked/pull/21" });
    nock(API).post("/repos/o/attacked/issues/21/labels").reply(200, []);
    const result = await runJob(
      job({ name: "attacked", sha: repo.sha }),
      deps(async ({ workspace, candidate }) => {
        if (candidate?.index === 1) {
          // What an obeying model's run_command does: a nested repository whose config runs a program, a link to a host file.
          const planted = await workspace.sandbox.run(
            `set -e; mkdir vendor && cd vendor && git init -q && git config core.fsmonitor 'touch ${marker}' && git config filter.x.clean 'touch ${marker}; cat' && printf '* filter=x\\n' > .gitattributes && echo v > v && git add -A && git -c user.name=a -c user.email=a@b commit -qm v && cd .. && ln -s ${secret} notes.txt`,
          );
          expect(planted.exitCode, planted.output).toBe(0);
        }
        await write(workspace.dir, "src/add.js", "export const add = (a, b) => a + b;\n");
      }),
      new AbortController().signal,
    );
    expect(result.state).toBe("succeeded");
    expect(body).toMatch(/candidate 1: rejected: .*`notes\.txt` is a symbolic link.*`vendor` is a submodule/);
    expect(existsSync(marker)).toBe(false);
    const pushed = await git(["ls-tree", "-r", "--name-only", `patchwright/fix-${repo.sha.slice(0, 7)}`], repo.bareDir);
    expect(pushed).not.toMatch(/notes\.txt|vendor/);
    expect(await showFile(repo.bareDir, `patchwright/fix-${repo.sha.slice(0, 7)}`, "src/add.js")).toContain("a + b");
  });

  it("stops before cloning when the repository's daily budget is used up, naming the setting", async () => {
    noConfig();
    spentToday = { tokens: 5_000_000, costUsd: 3 };
    const bodies: Record<string, unknown>[] = [];
    nock(API).patch(`${REPO}/check-runs/555`, (b) => bodies.push(b) > 0).reply(200, {});
    let cloned = false;
    const d = deps(async () => {});
    const result = await runJob(job(), { ...d, openWorkspace: async (a) => ((cloned = true), d.openWorkspace(a)) }, new AbortController().signal);
    expect(result).toEqual({ state: "failed", summary: "daily budget used up" });
    expect(cloned).toBe(false);
    expect(JSON.stringify(bodies[0])).toContain("budget.daily_tokens");
  });

  it("fixes a formatting failure with a recipe: zero model calls", async () => {
    const repo = await createFixtureRepo({
      root,
      owner: "o",
      name: "fmt",
      files: {
        "package.json": JSON.stringify({ name: "fmt", private: true, scripts: { test: "prettier --check src" }, devDependencies: { prettier: "3.3.3" } }),
        "src/a.js": "const  a = {b:1}\n",
      },
    });
    noConfig("fmt", repo.sha);
    nock(API).patch("/repos/o/fmt/check-runs/555").times(2).reply(200, {});
    nock(API).get("/repos/o/fmt/pulls").query(true).reply(200, []);
    let body = "";
    nock(API)
      .post("/repos/o/fmt/pulls", (b) => Boolean((body = b.body)))
      .reply(201, { number: 3, html_url: "https://github.com/o/fmt/pull/3" });
    nock(API).post("/repos/o/fmt/issues/3/labels").reply(200, []);
    let modelCalls = 0;
    const d = deps(async () => {});
    const result = await runJob(job({ name: "fmt", sha: repo.sha }), { ...d, fix: async (r) => (modelCalls++, d.fix(r)) }, new AbortController().signal);
    expect(result.state).toBe("succeeded");
    expect(modelCalls).toBe(0);
    expect(body).toContain("prettier --write");
    expect(await showFile(repo.bareDir, `patchwright/fix-${repo.sha.slice(0, 7)}`, "src/a.js")).toBe("const a = { b: 1 };\n");
    expect(ledger.some(([k]) => k === "recipe")).toBe(true);
  });

  it("retries a transient GitHub error until the config's max_attempts, then reports it", async () => {
    const flaky = { gatherEvidence: async () => Promise.reject(Object.assign(new Error("Bad Gateway"), { status: 502 })) };
    noConfig();
    nock(API).patch(`${REPO}/check-runs/555`).reply(200, {});
    const first = await runJob(job(), { ...deps(async () => {}), ...flaky }, new AbortController().signal);
    expect(first).toMatchObject({ state: "retry" });

    nock(API).get(`${REPO}/contents/.github%2Fpatchwright.yml`).reply(200, "max_attempts: 1\n");
    nock(API).get(`${REPO}/branches/main`).reply(200, { name: "main", commit: { sha: red.sha } });
    const bodies: Record<string, unknown>[] = [];
    nock(API).patch(`${REPO}/check-runs/555`, (b) => bodies.push(b) > 0).times(2).reply(200, {});
    const last = await runJob(job(), { ...deps(async () => {}), ...flaky }, new AbortController().signal);
    expect(last).toMatchObject({ state: "failed" });
    expect(JSON.stringify(bodies.at(-1))).toContain("GitHub API error 502");
  });

  it("speculating, opens the workspace while the evidence is fetched; a failed fetch still disposes the workspace", async () => {
    noConfig();
    nock(API).patch(`${REPO}/check-runs/555`).reply(200, {});
    const d = deps(async () => {});
    let workspaceDir: string | undefined;
    let opened!: () => void;
    const workspaceOpened = new Promise<void>((resolve) => (opened = resolve));
    const speculating: PipelineDeps = {
      ...d,
      speculate: true,
      openWorkspace: async (a) => {
        const workspace = await d.openWorkspace(a);
        workspaceDir = workspace.dir;
        opened();
        return workspace;
      },
      // Answers only once the workspace is open: one after the other, this would never end.
      gatherEvidence: async () => {
        await workspaceOpened;
        throw Object.assign(new Error("Bad Gateway"), { status: 502 });
      },
    };
    const result = await runJob(job(), speculating, new AbortController().signal);
    expect(result).toMatchObject({ state: "retry" });
    expect(workspaceDir).toBeDefined();
    expect(existsSync(workspaceDir!)).toBe(false);
    expect(ledger).toContainEqual(["stage", expect.objectContaining({ stage: "Opening a workspace", alongside: true })]);
  });

  it("speculating, reproduces (setup included) once the failed jobs are listed, while their logs are still read", async () => {
    noConfig("green");
    nock(API).patch("/repos/o/green/check-runs/555").times(2).reply(200, {});
    const d = deps(async () => {});
    let reproduced!: () => void;
    const reproduction = new Promise<void>((resolve) => (reproduced = resolve));
    const speculating: PipelineDeps = {
      ...d,
      speculate: true,
      ledger: (id, kind, data) => {
        d.ledger(id, kind, data);
        if (kind === "reproduce") reproduced();
      },
      // The logs are read only after the reproduction ended: one after the other, this would never end.
      gatherEvidence: async (_reads, _sources, options) => {
        options?.onFailedJobs?.([]);
        await reproduction;
        return { text: "logs read late", failedJobs: [], jobs: [] };
      },
    };
    const result = await runJob(job({ name: "green", sha: green.sha }), speculating, new AbortController().signal);
    expect(result).toMatchObject({ state: "skipped", summary: "could not reproduce" });
    const kinds = ledger.map(([kind]) => kind);
    expect(kinds.indexOf("reproduce")).toBeLessThan(kinds.indexOf("evidence"));
    expect(ledger).toContainEqual(["stage", expect.objectContaining({ stage: "Reading the logs", alongside: true })]);
  });

  it("reports an invalid config with the key and does not clone", async () => {
    nock(API)
      .get(`${REPO}/contents/.github%2Fpatchwright.yml`)
      .reply(200, "max_attempts: lots\ncommands:\n  tset: x\n"); // the config plugin asks for the raw file
    const bodies: Record<string, unknown>[] = [];
    nock(API).patch(`${REPO}/check-runs/555`, (b) => bodies.push(b) > 0).reply(200, {});
    let cloned = false;
    const d = deps(async () => {});
    const result = await runJob(job(), { ...d, openWorkspace: async (a) => ((cloned = true), d.openWorkspace(a)) }, new AbortController().signal);
    expect(result.state).toBe("failed");
    expect(cloned).toBe(false);
    const summary = String((bodies[0]?.["output"] as { summary: string }).summary);
    expect(summary).toContain("`max_attempts`");
    expect(summary).toContain("`commands`: Unrecognized key: \"tset\"");
  });

  it("says 'could not reproduce' when the build is green here, and changes nothing", async () => {
    noConfig("green");
    const bodies: Record<string, unknown>[] = [];
    nock(API).patch("/repos/o/green/check-runs/555", (b) => bodies.push(b) > 0).times(2).reply(200, {});
    let fixed = false;
    const result = await runJob(job({ name: "green", sha: green.sha }), deps(async () => void (fixed = true)), new AbortController().signal);
    expect(result).toMatchObject({ state: "skipped", summary: "could not reproduce" });
    expect(fixed).toBe(false);
    expect(bodies.at(-1)).toMatchObject({ conclusion: "neutral", output: { title: "Could not reproduce" } });
  });

  it("uses a check run its acknowledgement opened after the lease, instead of opening a second one", async () => {
    noConfig("green");
    const bodies: Record<string, unknown>[] = [];
    nock(API).patch("/repos/o/green/check-runs/555", (b) => bodies.push(b) > 0).times(2).reply(200, {});
    const second = nock(API).post("/repos/o/green/check-runs").reply(201, { id: 556 });
    // Leased before its acknowledgement ran: the leased record has no check run, the store has one now.
    const leased = runningJob(job({ name: "green", sha: green.sha }).payload, { ackId: null });
    const asked: number[] = [];
    const d: PipelineDeps = { ...deps(async () => {}), ackIdOf: async (id) => (asked.push(id), 555) };
    const result = await runJob(leased, d, new AbortController().signal);
    expect(result).toMatchObject({ state: "skipped", summary: "could not reproduce" });
    expect(asked).toEqual([leased.id]);
    expect(second.isDone()).toBe(false);
    expect(bodies.at(-1)).toMatchObject({ conclusion: "neutral" });
    nock.cleanAll();
  });

  it("opens no PR when the tests still fail after the fix, and reports the diagnosis", async () => {
    noConfig();
    noInstructions();
    const updates = checkRunUpdates();
    const result = await runJob(job(), deps(async ({ workspace }) => write(workspace.dir, "src/add.js", "export const add = (a, b) => a * b;\n")), new AbortController().signal);
    expect(result).toMatchObject({ state: "failed", summary: "no verified fix" });
    const output = updates.at(-1)?.["output"] as { title: string; summary: string };
    expect(output.title).toBe("No verified fix");
    expect(output.summary).toContain("still fails");
    expect(output.summary).toContain("Root cause: add subtracts.");
    expect(output.summary).toMatch(/candidate 1: rejected: `npm test` still fails/);
    // The best attempt is kept in the report, not thrown away.
    expect((updates.at(-1)?.["output"] as { text: string }).text).toContain("+export const add = (a, b) => a * b;");
  });

  it("never delivers a candidate whose agent ended on a model error, and reports the provider's message", async () => {
    noConfig();
    noInstructions();
    const updates = checkRunUpdates();
    const d = deps(async () => {});
    const result = await runJob(
      job(),
      {
        ...d,
        fix: async (request) => {
          if (request.role === "investigator") return d.fix(request);
          // The fix is in place, but the run ended on the provider's error: its summary is that error.
          await write(request.workspace.dir, "src/add.js", "export const add = (a, b) => a + b;\n");
          return { status: "model_error", summary: "400 Unsupported parameter: 'temperature'", modelError: "400 Unsupported parameter: 'temperature'", turns: 1, usage: { promptTokens: 1, completionTokens: 0 }, trace: [] };
        },
      },
      new AbortController().signal,
    );
    expect(result).toMatchObject({ state: "failed", summary: "no verified fix" });
    const summary = String((updates.at(-1)?.["output"] as { summary: string }).summary);
    expect(summary).toContain("candidate 1: model error: 400 Unsupported parameter: 'temperature'");
  });

  it("rejects a fix that touches a protected path, even if the tests pass", async () => {
    noConfig();
    noInstructions();
    const updates = checkRunUpdates();
    const before = await readBranchSha(red.bareDir, "patchwright/fix-" + red.sha.slice(0, 7));
    const result = await runJob(
      job(),
      deps(async ({ workspace }) => {
        await write(workspace.dir, "src/add.js", "export const add = (a, b) => a + b;\n");
        await write(workspace.dir, ".github/workflows/ci.yml", "on: push\n");
      }),
      new AbortController().signal,
    );
    expect(result.state).toBe("failed");
    expect(String((updates.at(-1)?.["output"] as { summary: string }).summary)).toContain("`.github/workflows/ci.yml` is protected");
    expect(await readBranchSha(red.bareDir, "patchwright/fix-" + red.sha.slice(0, 7))).toBe(before);
    expect(await readFile(path.join(root, "o/calc.git/HEAD"), "utf8")).toContain("main");
  });
});

/** A CI failure on the branch of pull request #5 (`feature`, onto `main`). */
function prJob(name: string, sha: string): JobRecord {
  const base = job({ name, sha });
  return {
    ...base,
    payload: {
      ...base.payload,
      thread: 5,
      trigger: {
        type: "ci",
        headSha: sha,
        headBranch: "feature",
        pullRequest: { number: 5, baseBranch: "main" },
        sources: [{ type: "workflow_run", runId: 7, runUrl: `https://github.com/o/${name}/actions/runs/7`, workflowName: "CI" }],
      },
    },
  };
}

/** The config (`yaml`, or none), `feature` at `sha`, no agent instructions, and the check run's updates. */
function prBranchMocks(name: string, sha: string, yaml?: string) {
  if (yaml === undefined) {
    nock(API).get(`/repos/o/${name}/contents/.github%2Fpatchwright.yml`).reply(404, {});
    nock(API).get(`/repos/o/.github/contents/.github%2Fpatchwright.yml`).reply(404, {});
  } else nock(API).get(`/repos/o/${name}/contents/.github%2Fpatchwright.yml`).reply(200, yaml);
  nock(API).get(`/repos/o/${name}/branches/feature`).reply(200, { name: "feature", commit: { sha } });
  noInstructions(name);
  const bodies: Record<string, unknown>[] = [];
  nock(API)
    .patch(`/repos/o/${name}/check-runs/555`, (b) => bodies.push(b) > 0)
    .times(2)
    .reply(200, {});
  return bodies;
}

const fixAdd = (request: FixRequest) => write(request.workspace.dir, "src/add.js", "export const add = (a, b) => a + b;\n");

describe("delivery onto a pull request's branch and re-runs", () => {
  it("adds the fix to a same-repository pull request's branch as a new commit with a Patchwright-Run trailer, and opens no PR", async () => {
    const repo = await createFixtureRepo({ root, owner: "o", name: "onto", files: FILES });
    await git(["branch", "feature", repo.sha], repo.bareDir);
    const updates = prBranchMocks("onto", repo.sha);
    // No pull request mocks: a lookup or a create would fail the test.
    const result = await runJob(prJob("onto", repo.sha), deps(fixAdd), new AbortController().signal);
    const head = await readBranchSha(repo.bareDir, "feature");
    expect(head).not.toBe(repo.sha);
    const url = `${server.url}/o/onto/commit/${head}`;
    expect(result).toEqual({ state: "succeeded", summary: url });
    expect(await git(["rev-parse", `${head}^`], repo.bareDir)).toBe(repo.sha);
    expect(await showFile(repo.bareDir, "feature", "src/add.js")).toContain("a + b");
    expect(await git(["log", "-1", "--format=%(trailers:key=Patchwright-Run,valueonly)", "feature"], repo.bareDir)).toBe("https://github.com/o/onto/actions/runs/7");
    expect(await readBranchSha(repo.bareDir, `patchwright/fix-${repo.sha.slice(0, 7)}`)).toBeNull();
    expect(updates.at(-1)).toMatchObject({ conclusion: "success", details_url: url, output: { title: "Fix committed to feature" } });
    expect(JSON.stringify(updates.at(-1))).toContain(`[${head?.slice(0, 7)}](${url})`);
  });

  it("opens a PR from patchwright/fix-<sha> onto the branch, and says why, when the branch moved while it worked", async () => {
    const repo = await createFixtureRepo({ root, owner: "o", name: "moved", files: FILES });
    await git(["branch", "feature", repo.sha], repo.bareDir);
    const updates = prBranchMocks("moved", repo.sha);
    nock(API).get("/repos/o/moved/pulls").query(true).reply(200, []);
    let body = "";
    const branch = `patchwright/fix-${repo.sha.slice(0, 7)}`;
    const pr = nock(API)
      .post("/repos/o/moved/pulls", (b) => Boolean((body = b.body)) && b.head === branch && b.base === "feature")
      .reply(201, { number: 31, html_url: "https://github.com/o/moved/pull/31" });
    nock(API).post("/repos/o/moved/issues/31/labels").reply(200, []);
    // Someone pushes to the branch while the fixers work.
    let moved: Promise<string> | undefined;
    const result = await runJob(prJob("moved", repo.sha), deps(async (request) => {
      moved ??= addFixtureCommit({ bareDir: repo.bareDir, branch: "feature", files: { "NOTES.md": "pushed by a person\n" } });
      await moved;
      await fixAdd(request);
    }), new AbortController().signal);
    expect(result).toEqual({ state: "succeeded", summary: "https://github.com/o/moved/pull/31" });
    expect(pr.isDone()).toBe(true);
    // The person's commit is kept: nothing was forced.
    expect(await readBranchSha(repo.bareDir, "feature")).toBe(await moved);
    expect(await showFile(repo.bareDir, branch, "src/add.js")).toContain("a + b");
    expect(await git(["log", "-1", "--format=%(trailers:key=Patchwright-Run,valueonly)", branch], repo.bareDir)).toBe("https://github.com/o/moved/actions/runs/7");
    expect(body).toMatch(/`feature` moved on from [0-9a-f]{7}.*never force-pushes/);
    expect(updates.at(-1)).toMatchObject({ conclusion: "success", output: { title: "Fix proposed in #31" } });
    expect(JSON.stringify(updates.at(-1))).toContain("moved on from");
  });

  it("opens a PR onto the branch with pull_request_fixes: pull_request", async () => {
    const repo = await createFixtureRepo({ root, owner: "o", name: "asked", files: FILES });
    await git(["branch", "feature", repo.sha], repo.bareDir);
    prBranchMocks("asked", repo.sha, "pull_request_fixes: pull_request\n");
    nock(API).get("/repos/o/asked/pulls").query(true).reply(200, []);
    const pr = nock(API)
      .post("/repos/o/asked/pulls", (b) => b.head === `patchwright/fix-${repo.sha.slice(0, 7)}` && b.base === "feature" && !/moved on/.test(b.body))
      .reply(201, { number: 32, html_url: "https://github.com/o/asked/pull/32" });
    nock(API).post("/repos/o/asked/issues/32/labels").reply(200, []);
    const result = await runJob(prJob("asked", repo.sha), deps(fixAdd), new AbortController().signal);
    expect(result).toEqual({ state: "succeeded", summary: "https://github.com/o/asked/pull/32" });
    expect(pr.isDone()).toBe(true);
    expect(await readBranchSha(repo.bareDir, "feature")).toBe(repo.sha);
  });

  it("a re-run of the same failure adds a commit to the open PR's branch instead of opening another", async () => {
    const repo = await createFixtureRepo({ root, owner: "o", name: "rerun", files: FILES });
    const branch = `patchwright/fix-${repo.sha.slice(0, 7)}`;
    await git(["branch", branch, repo.sha], repo.bareDir);
    const earlier = await addFixtureCommit({ bareDir: repo.bareDir, branch, files: { "src/add.js": "export const add = (a, b) => b + a;\n" } });
    noConfig("rerun", repo.sha);
    noInstructions("rerun");
    const updates: Record<string, unknown>[] = [];
    nock(API)
      .patch("/repos/o/rerun/check-runs/555", (b) => updates.push(b) > 0)
      .times(2)
      .reply(200, {});
    nock(API)
      .get("/repos/o/rerun/pulls")
      .query({ head: `o:${branch}`, state: "open" })
      .reply(200, [{ number: 40, html_url: "https://github.com/o/rerun/pull/40", head: { ref: branch, sha: earlier } }]);
    // No POST /pulls mock: a second pull request would fail the test.
    const result = await runJob({ ...job({ name: "rerun", sha: repo.sha }), id: 2 }, deps(fixAdd), new AbortController().signal);
    expect(result).toEqual({ state: "succeeded", summary: "https://github.com/o/rerun/pull/40" });
    const head = await readBranchSha(repo.bareDir, branch);
    expect(await git(["rev-parse", `${head}^`], repo.bareDir)).toBe(earlier);
    expect(await showFile(repo.bareDir, branch, "src/add.js")).toBe("export const add = (a, b) => a + b;\n");
    expect(updates.at(-1)).toMatchObject({ conclusion: "success", output: { title: "Fix updated in #40" } });
  });
});
