import nock from "nock";
import { pino } from "pino";
import { ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { followCheckRun, renderProgress, type ProgressState } from "../../src/github/check-run-progress.ts";
import { createCheckRuns, type CheckRuns } from "../../src/github/check-runs.ts";
import type { Octokit } from "../../src/github/types.ts";
import type { RepoGitHub } from "../../src/github/repo-github.ts";
import { createJobContext } from "../../src/pipeline/job-context.ts";
import type { Origin } from "../../src/pipeline/origins/origin.ts";
import type { PipelineDeps } from "../../src/pipeline/pipeline-deps.ts";
import { createRedactor } from "../../src/security/redact.ts";
import { runningJob } from "../support/payloads.ts";

/** A running job's progress on its check run, against a fake reporter and an injected clock. */

const INTERVAL = 5_000;

interface Call {
  kind: "open" | "progress" | "complete";
  id?: number;
  title?: string;
  summary?: string;
}

/** A reporter that records calls; `progress` waits for `release()` when `hold` is set, or fails when `fail` is. */
function fakeChecks() {
  const calls: Call[] = [];
  const gate = { hold: false, fail: false, waiting: [] as (() => void)[] };
  const checks: CheckRuns = {
    open: async () => (calls.push({ kind: "open", id: 77 }), 77),
    async progress(id, title, summary) {
      calls.push({ kind: "progress", id, title, summary });
      if (gate.fail) throw new Error("HTTP 502");
      if (gate.hold) await new Promise<void>((resolve) => gate.waiting.push(resolve));
    },
    complete: async ({ checkRunId }) => void calls.push({ kind: "complete", id: checkRunId ?? -1 }),
  };
  const release = async () => {
    for (const resolve of gate.waiting.splice(0)) resolve();
    await settle();
  };
  return { checks, calls, gate, release };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const state = (stage: string, more: Partial<ProgressState> = {}): ProgressState => ({ stage, elapsedMs: 0, tokens: 0, costUsd: 0, ...more });
const titles = (calls: Call[]) => calls.filter((c) => c.kind === "progress").map((c) => c.title);

function setup() {
  const clock = { now: 1_000_000 };
  const warnings: unknown[] = [];
  const fake = fakeChecks();
  const progress = followCheckRun(fake.checks, { now: () => clock.now, minIntervalMs: INTERVAL, warn: (e) => void warnings.push(e) });
  return { ...fake, clock, warnings, progress };
}

describe("check-run progress", () => {
  it("shows nothing until the origin has opened or updated the job's check run, then follows that one", async () => {
    const { progress, calls } = setup();
    progress.show(state("Admitting"));
    await settle();
    expect(calls).toEqual([]);
    await progress.checks.progress(555, "Reproducing the failure", "origin's own text");
    progress.show(state("Gathering evidence"));
    await settle();
    expect(calls.map((c) => [c.kind, c.id, c.title])).toEqual([
      ["progress", 555, "Reproducing the failure"],
      ["progress", 555, "Gathering evidence"],
    ]);
  });

  it("sends a new stage at once, and the same stage's spend at most every few seconds", async () => {
    const { progress, calls, clock } = setup();
    await progress.checks.open({ sha: "a", jobId: 1, status: "in_progress", title: "t", summary: "s" });
    progress.show(state("Investigating"));
    await settle();
    clock.now += INTERVAL - 1;
    progress.show(state("Investigating", { tokens: 100 })); // too soon: dropped
    await settle();
    progress.show(state("Fixing", { candidate: "1 of 2" })); // a new stage: at once
    await settle();
    clock.now += INTERVAL;
    progress.show(state("Fixing", { candidate: "2 of 2", tokens: 900 }));
    await settle();
    expect(titles(calls)).toEqual(["Investigating", "Fixing", "Fixing"]);
    expect(calls.at(-1)?.summary).toContain("| Fixing | 2 of 2 |");
    expect(calls.at(-1)?.summary).toContain("| 900 |");
  });

  it("keeps one update in flight and sends only the newest waiting one after it", async () => {
    const { progress, calls, gate, release } = setup();
    await progress.checks.open({ sha: "a", jobId: 1, status: "queued", title: "t", summary: "s" });
    gate.hold = true;
    progress.show(state("Gathering evidence"));
    progress.show(state("Opening a workspace"));
    progress.show(state("Reproducing the failure"));
    await settle();
    expect(titles(calls)).toEqual(["Gathering evidence"]);
    gate.hold = false;
    await release();
    expect(titles(calls)).toEqual(["Gathering evidence", "Reproducing the failure"]);
  });

  it("logs a failed update and goes on with the next stage", async () => {
    const { progress, calls, gate, warnings } = setup();
    await progress.checks.open({ sha: "a", jobId: 1, status: "queued", title: "t", summary: "s" });
    gate.fail = true;
    expect(() => progress.show(state("Investigating"))).not.toThrow();
    await settle();
    expect(warnings).toHaveLength(1);
    gate.fail = false;
    progress.show(state("Fixing"));
    await settle();
    expect(titles(calls)).toEqual(["Investigating", "Fixing"]);
  });

  it("lets an update in flight land before the check run completes, and sends none after", async () => {
    const { progress, calls, gate, release } = setup();
    await progress.checks.open({ sha: "a", jobId: 1, status: "queued", title: "t", summary: "s" });
    gate.hold = true;
    progress.show(state("Verifying"));
    progress.show(state("Delivering")); // waiting: dropped by the completion
    const completed = progress.checks.complete({ checkRunId: 77, sha: "a", jobId: 1, report: { conclusion: "success", title: "Done", summary: "" } });
    await settle();
    expect(calls.map((c) => c.kind)).toEqual(["open", "progress"]);
    await release();
    await completed;
    progress.show(state("Late stage"));
    await settle();
    expect(calls.map((c) => [c.kind, c.title])).toEqual([
      ["open", undefined],
      ["progress", "Verifying"],
      ["complete", undefined],
    ]);
  });

  it("renders the stage, candidate, elapsed time, tokens and cost as one table row", () => {
    expect(renderProgress(state("Fixing", { candidate: "2 of 3", elapsedMs: 185_000, tokens: 12_345, costUsd: 0.01234 }))).toBe(
      "| Stage | Candidate | Elapsed | Tokens | Cost |\n| --- | --- | --- | --- | --- |\n| Fixing | 2 of 3 | 3m 05s | 12,345 | $0.0123 |",
    );
    expect(renderProgress(state("Investigating", { elapsedMs: 42_900 }))).toContain("| Investigating | – | 42s | 0 | $0.0000 |");
    expect(renderProgress(state("Delivering", { elapsedMs: 3_720_000 }))).toContain("| 1h 02m |");
  });

  it("goes to GitHub as an in-progress update, redacted", async () => {
    const octokit = new ProbotOctokit({ auth: { token: "t" }, throttle: { enabled: false }, retry: { enabled: false } }) as unknown as Octokit;
    const checks = createCheckRuns(octokit, { owner: "o", name: "r" }, createRedactor(["s3cret-value-123456"]));
    const progress = followCheckRun(checks, { now: () => 0, minIntervalMs: INTERVAL, warn: () => {} });
    nock("https://api.github.com").patch("/repos/o/r/check-runs/9", (b) => b.output.title === "Reproducing the failure").reply(200, {});
    await progress.checks.progress(9, "Reproducing the failure", "by the origin");
    let body: { status?: string; output?: { title: string; summary: string } } = {};
    const sent = nock("https://api.github.com")
      .patch("/repos/o/r/check-runs/9", (b) => Boolean((body = b)))
      .reply(200, {});
    const completed = nock("https://api.github.com").patch("/repos/o/r/check-runs/9", (b) => b.status === "completed").reply(200, {});
    progress.show(state("Investigating s3cret-value-123456"));
    // Completing waits for the update in flight.
    await progress.checks.complete({ checkRunId: 9, sha: "a", jobId: 1, report: { conclusion: "success", title: "Done", summary: "" } });
    expect(sent.isDone() && completed.isDone()).toBe(true);
    expect(body.status).toBe("in_progress");
    expect(body.output?.title).toMatch(/^Investigating /);
    expect(JSON.stringify(body)).not.toContain("s3cret");
  });

  it("is fed by the job: its stage and candidate, the time since it started and what it spent", () => {
    const clock = { now: 1_000_000 };
    const shown: ProgressState[] = [];
    const job = runningJob({
      version: 1,
      kind: "fix-ci",
      installationId: 42,
      deliveryId: "d",
      repo: { owner: "o", name: "calc", cloneUrl: "https://github.com/o/calc.git", defaultBranch: "main" },
      trigger: { type: "ci", headSha: "a".repeat(40), headBranch: "main", sources: [{ type: "status", context: "ci", description: "", targetUrl: null }] },
    });
    const usage = { cost: () => 0.25, record: () => {} };
    const deps = { now: () => clock.now, ledger: () => {}, usage } as unknown as PipelineDeps;
    const ctx = createJobContext({ job, deps, signal: new AbortController().signal, github: {} as RepoGitHub, origin: {} as Origin, log: pino({ level: "silent" }), showProgress: (s) => void shown.push(s) });
    ctx.spend({ promptTokens: 1, completionTokens: 1 }); // before any stage: nothing to show
    clock.now += 7_000;
    ctx.progress("Fixing", { index: 2, of: 3 });
    ctx.spend({ promptTokens: 100, completionTokens: 20 });
    expect(shown).toEqual([
      { stage: "Fixing", candidate: "2 of 3", elapsedMs: 7_000, tokens: 2, costUsd: 0.25 },
      { stage: "Fixing", candidate: "2 of 3", elapsedMs: 7_000, tokens: 122, costUsd: 0.5 },
    ]);
  });
});
