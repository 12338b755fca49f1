/**
 * The dialect suite: the fix job end to end (runJob → the real agent → the
 * process's ChatModel from `createChatModel`) against a fake provider that
 * enforces one provider's documented rules with its documented error bodies.
 * Where the provider can work, a PR comes out; where it cannot, the check run
 * says why and what to change. Each rule cites the provider's documentation.
 */
import { runningJob } from "../../support/payloads.ts";
import { pipelineTestDeps } from "../../support/pipeline-test-deps.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import nock from "nock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createChatModel } from "../../../src/agent/create-chat-model.ts";
import { probeModel } from "../../../src/agent/probe-model.ts";
import { runRole } from "../../../src/agent/run-role.ts";
import type { PipelineDeps } from "../../../src/pipeline/pipeline-deps.ts";
import { runJob } from "../../../src/pipeline/run-job.ts";
import type { JobRecord } from "../../../src/queue/job.ts";
import { createRedactor } from "../../../src/security/redact.ts";
import { RED_CALC_FILES } from "../../support/calc-fixture.ts";
import { startFakeProvider, type Decision, type Turn } from "../../support/fake-provider.ts";
import { createFixtureRepo } from "../../support/fixture-repo.ts";
import { startGitHttpServer } from "../../support/git-http-server.ts";
import { PROVIDERS, type ProviderCase } from "./provider-cases.ts";

const API = "https://api.github.com";
const TOKEN = "ghs_dialectsuitetoken000000000000000";
const SLOW = 120_000;

let root: string;
let git: Awaited<ReturnType<typeof startGitHttpServer>>;
let repos = 0;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), "pw-dialects-"));
  git = await startGitHttpServer({ projectRoot: root, token: TOKEN });
});
afterAll(async () => {
  await git.close();
  rmSync(root, { recursive: true, force: true });
});

/** The model's decisions for the red calc fixture: read, diagnose; edit, test, finish. */
export function calcBrain(t: Turn): Decision {
  if (t.role === "investigator") {
    return t.turn === 0
      ? { call: { name: "read_file", args: { path: "src/add.js" } } }
      : { call: { name: "finish", args: { summary: "Root cause: add() subtracts.\nFiles: src/add.js\nConfidence: high\nFix idea: a + b" } } };
  }
  if (t.turn === 0) return { content: "The operator is wrong.", call: { name: "edit_file", args: { path: "src/add.js", old_string: "a - b", new_string: "a + b" } } };
  if (t.turn === 1) return { call: { name: "run_command", args: { command: "npm test" } } };
  return { call: { name: "finish", args: { summary: `add() subtracted; it adds now. ${/exit code 0/.test(t.lastResult) ? "npm test passes." : "npm test still fails."}` } } };
}

function job(name: string, sha: string): JobRecord {
  return runningJob({
    version: 1,
    kind: "fix-ci",
    installationId: 42,
    deliveryId: "d",
    repo: { owner: "o", name, cloneUrl: `${git.url}/o/${name}.git`, defaultBranch: "main" },
    trigger: { type: "ci", headSha: sha, headBranch: "main", sources: [{ type: "workflow_run", runId: 7, runUrl: "https://github.com/o/calc/actions/runs/7", workflowName: "CI" }] },
  }, { ackId: 555 });
}

function deps(fix: PipelineDeps["fix"], spent: Array<Record<string, number | undefined>>): PipelineDeps {
  const base = pipelineTestDeps({ token: TOKEN, root, fix });
  return { ...base, usage: { ...base.usage, cost: (u) => (spent.push({ ...u }), 0), tokensFor: () => Number.POSITIVE_INFINITY } };
}

/** GitHub's side of one job: no config (3 candidates), no instructions, the check run, and the PR if one comes. */
function github(name: string, sha: string) {
  nock(API).get(`/repos/o/${name}/contents/.github%2Fpatchwright.yml`).reply(404, {});
  nock(API).get("/repos/o/.github/contents/.github%2Fpatchwright.yml").reply(404, {});
  nock(API).get(`/repos/o/${name}/branches/main`).reply(200, { name: "main", commit: { sha: sha } });
  nock(API).get(`/repos/o/${name}/contents/AGENTS.md`).query({ ref: "main" }).reply(404, {});
  nock(API).get(`/repos/o/${name}/contents/.github%2Fcopilot-instructions.md`).query({ ref: "main" }).reply(404, {});
  const checks: Array<Record<string, unknown>> = [];
  nock(API).patch(`/repos/o/${name}/check-runs/555`, (b) => checks.push(b) > 0).times(2).reply(200, {});
  const prs: Array<Record<string, unknown>> = [];
  nock(API).get(`/repos/o/${name}/pulls`).query(true).optionally().reply(200, []);
  nock(API).post(`/repos/o/${name}/pulls`, (b) => prs.push(b) > 0).optionally().reply(201, { number: 12, html_url: `https://github.com/o/${name}/pull/12` });
  return { checks, prs };
}

async function runCase(c: ProviderCase) {
  const name = `calc${++repos}`;
  const red = await createFixtureRepo({ root, owner: "o", name, files: RED_CALC_FILES });
  const provider = await startFakeProvider(c.dialect, calcBrain);
  const delays: number[] = [];
  try {
    const settings = {
      baseURL: c.baseURL(provider.url),
      apiKey: "sk-dialect-test-key",
      model: c.model,
      overrides: c.overrides ?? {},
      // No real waits: the delays the provider asked for are recorded instead.
      retry: { staggerMs: 0, sleep: async (ms: number) => void delays.push(ms) },
    };
    const configured = createChatModel(settings);
    const probe = await probeModel({ model: configured.model, modelName: c.model, adaptations: configured.adaptations }).then(
      (report) => ({ ok: true as const, report }),
      (error: unknown) => ({ ok: false as const, error: error as Error }),
    );
    const spent: Array<Record<string, number | undefined>> = [];
    const redact = createRedactor([TOKEN]);
    const gh = github(name, red.sha);
    const result = await runJob(job(name, red.sha), deps((request) => runRole(request, { model: configured.model, modelName: c.model, redact }), spent), new AbortController().signal);
    return { red, result, probe, provider, received: provider.received, checks: gh.checks, prs: gh.prs, delays, spent, adaptations: configured.adaptations };
  } finally {
    await provider.close();
  }
}

describe("the fix job against each provider's documented dialect", () => {
  it.each(PROVIDERS.filter((c) => c.outcome === "pr").map((c) => [c.name, c] as const))(
    "%s: a PR comes out",
    async (_name, c) => {
      const run = await runCase(c);
      expect(run.probe.ok, run.probe.ok ? "" : run.probe.error.message).toBe(true);
      expect(run.result).toEqual({ state: "succeeded", summary: expect.stringMatching(/^https:\/\/github.com\/o\/calc\d+\/pull\/12$/) });
      expect(run.prs[0]).toMatchObject({ head: `patchwright/fix-${run.red.sha.slice(0, 7)}`, base: "main" });
      // Provider state never reaches the PR.
      const pr = JSON.stringify(run.prs);
      for (const secret of ["sig-", "enc-", "thinking about"]) expect(pr).not.toContain(secret);
      c.check?.({ received: run.received, delays: run.delays, spent: run.spent, notes: run.adaptations.notes });
    },
    SLOW,
  );

  it.each(PROVIDERS.filter((c) => c.outcome !== "pr").map((c) => [c.name, c] as const))(
    "%s: the start-up check and the check run say why, and what to change",
    async (_name, c) => {
      const run = await runCase(c);
      const why = c.outcome as RegExp;
      expect(run.probe.ok).toBe(false);
      if (!run.probe.ok) expect(run.probe.error.message).toMatch(why);
      expect(run.result.state).toBe("failed");
      expect(run.prs).toEqual([]);
      const summary = String((run.checks.at(-1)?.["output"] as { summary?: string } | undefined)?.summary ?? "");
      expect(summary).toMatch(why);
      expect(summary).toMatch(/choose a model that supports tools/);
    },
    SLOW,
  );
});
