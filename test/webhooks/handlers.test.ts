import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import nock from "nock";
import { pino } from "pino";
import type { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { createRepoGitHub } from "../../src/github/repo-github.ts";
import { createOrigin } from "../../src/pipeline/origins/create-origin.ts";
import { createRedactor } from "../../src/security/redact.ts";
import type { JobPayload } from "../../src/queue/job.ts";
import { openSqliteQueue, type JobQueue } from "../../src/queue/sqlite-queue.ts";
import { acknowledgeJob } from "../../src/pipeline/acknowledge-job.ts";
import { createBackgroundTasks, type BackgroundTasks } from "../../src/webhooks/background-tasks.ts";
import { checkRunCompleted, issueCommentCreated, statusEvent, workflowRunCompleted } from "../support/payloads.ts";
import { createTestProbot } from "../support/test-probot.ts";

const API = "https://api.github.com";
const REPO = "/repos/octo-org/octo-repo";

let dir: string;
let queue: JobQueue;
let tasks: BackgroundTasks;
let probot: Probot;
let delivery = 0;
let cancelledReports: [number, string][] = [];

beforeEach(async () => {
  cancelledReports = [];
  dir = mkdtempSync(path.join(tmpdir(), "pw-webhooks-"));
  queue = openSqliteQueue({ dataDir: dir });
  tasks = createBackgroundTasks(pino({ level: "silent" }));
  probot = createTestProbot();
  await probot.load(
    createApp({
      queue,
      tasks,
      redact: createRedactor([]),
      appId: 1,
      appLogin: async () => "patchwright[bot]",
      coalesceMs: 0,
      reportCancelled: async (octokit, job, by) => {
        cancelledReports.push([job.id, by]);
        void octokit;
      },
      acknowledge: (job) =>
        acknowledgeJob(queue, job, async (current) => createOrigin(current, createRepoGitHub((await probot.auth(current.payload.installationId)) as never, current.payload.repo, createRedactor([]))).acknowledge()),
    }),
  );
});

afterEach(async () => {
  await queue.close();
  rmSync(dir, { recursive: true, force: true });
});

function installationToken() {
  return nock(API).post("/app/installations/42/access_tokens").reply(201, { token: "ghs_installationtoken000000000000000", expires_at: "2099-01-01T00:00:00Z" });
}

async function receive(name: "workflow_run" | "issue_comment" | "check_run" | "status", payload: Record<string, unknown>, id = `d-${++delivery}`) {
  await probot.receive({ id, name, payload } as never);
  await tasks.settled();
}

describe("workflow_run.completed", () => {
  it("queues a fix-ci job for a red run on the default branch and acknowledges it with a check run", async () => {
    installationToken();
    const check = nock(API)
      .post(`${REPO}/check-runs`, (body) => body.head_sha === "3484a3fb816e0859fd6e1cea078d76385ff50625" && body.status === "queued" && body.name === "Patchwright")
      .reply(201, { id: 555 });
    await receive("workflow_run", workflowRunCompleted());
    const [job] = await queue.list();
    expect(job?.payload).toMatchObject({
      kind: "fix-ci",
      installationId: 42,
      trigger: { type: "ci", headBranch: "main", sources: [{ type: "workflow_run", runId: 30433642, workflowPath: ".github/workflows/ci.yml" }] },
    });
    expect(job?.ackId).toBe(555);
    expect(check.isDone()).toBe(true);
  });

  it.each([
    ["a green run", { conclusion: "success" }],
    ["a cancelled run", { conclusion: "cancelled" }],
    ["Patchwright's own branch", { headBranch: "patchwright/fix-abc1234" }],
    ["a run from a fork", { headRepoFullName: "someone/octo-repo" }],
    ["a feature branch", { headBranch: "feature" }],
  ])("ignores %s", async (_name, overrides) => {
    await receive("workflow_run", workflowRunCompleted(overrides));
    expect(await queue.list()).toHaveLength(0);
  });

  it("never creates a second job for the same delivery or the same commit, and coalesces their evidence", async () => {
    installationToken();
    nock(API).post(`${REPO}/check-runs`).reply(201, { id: 1 });
    await receive("workflow_run", workflowRunCompleted(), "same");
    await receive("workflow_run", workflowRunCompleted(), "same");
    await receive("workflow_run", workflowRunCompleted({ runId: 99 }), "other");
    await receive("workflow_run", workflowRunCompleted({ runId: 99 }), "again");
    expect(await queue.list()).toHaveLength(1);
    const trigger = (await queue.list())[0]?.payload.trigger;
    expect(trigger?.type === "ci" && trigger.sources.map((s) => s.type === "workflow_run" && s.runId)).toEqual([30433642, 99]);
  });

  it("queues a failure on a same-repository pull request's branch, to be fixed onto that branch", async () => {
    installationToken();
    nock(API).post(`${REPO}/check-runs`).reply(201, { id: 2 });
    await receive("workflow_run", workflowRunCompleted({ headBranch: "feature", pullRequest: 12 }));
    expect((await queue.list())[0]?.payload.trigger).toMatchObject({ type: "ci", headBranch: "feature", pullRequest: { number: 12, baseBranch: "main" } });
  });
});

describe("check_run.completed and status", () => {
  it("queues a failed check from another CI, with the check as evidence", async () => {
    installationToken();
    nock(API).post(`${REPO}/check-runs`, (b) => b.details_url === "https://buildkite.example/builds/1").reply(201, { id: 3 });
    await receive("check_run", checkRunCompleted({}));
    expect((await queue.list())[0]?.payload.trigger).toMatchObject({ type: "ci", sources: [{ type: "check_run", name: "buildkite/tests", app: "buildkite" }] });
  });

  it.each([
    ["GitHub Actions (it arrives as workflow_run)", { appSlug: "github-actions" }],
    ["this app's own check", { appId: 1 }],
    ["a passing check", { conclusion: "success" }],
    ["a branch without a pull request", { headBranch: "feature" }],
    ["a fork (no branch of ours)", { headBranch: null }],
  ])("ignores %s", async (_name, o) => {
    await receive("check_run", checkRunCompleted(o));
    expect(await queue.list()).toHaveLength(0);
  });

  it("queues a failed commit status on the default branch, and ignores others", async () => {
    installationToken();
    nock(API).post(`${REPO}/check-runs`).reply(201, { id: 4 });
    await receive("status", statusEvent({ branches: ["feature"] }));
    await receive("status", statusEvent({ state: "pending" }));
    await receive("status", statusEvent({ state: "error" }));
    expect((await queue.list()).map((j) => j.payload.trigger)).toMatchObject([
      { type: "ci", sources: [{ type: "status", context: "ci/jenkins", description: "Build #12 failed", targetUrl: "https://jenkins.example/job/12" }] },
    ]);
  });
});

describe("issue_comment.created", () => {
  function permission(user: string, role: string, status = 200) {
    return nock(API)
      .get(`${REPO}/collaborators/${user}/permission`)
      .reply(status, status === 200 ? { permission: role === "maintain" ? "write" : role, role_name: role, user: { login: user } } : { message: "Not Found" });
  }

  it.each(["write", "maintain", "admin"])("queues a job for /agent fix from a user with %s access, with the instructions", async (role) => {
    installationToken();
    permission("maintainer", role);
    const eyes = nock(API).post(`${REPO}/issues/comments/9001/reactions`, { content: "eyes" }).reply(201, { id: 1 });
    await receive("issue_comment", issueCommentCreated({ body: "/agent fix please keep the API\nand add a test" }));
    const [job] = await queue.list();
    expect(job?.payload).toMatchObject({
      kind: "fix-issue",
      trigger: { type: "comment", issueNumber: 7, isPullRequest: false, instructions: "please keep the API\nand add a test", author: "maintainer" },
    });
    expect(eyes.isDone()).toBe(true);
  });

  it("treats a command on a pull request as a fix-ci job", async () => {
    installationToken();
    permission("maintainer", "write");
    nock(API).post(`${REPO}/issues/comments/9001/reactions`).reply(201, { id: 1 });
    await receive("issue_comment", issueCommentCreated({ body: "/agent fix", pullRequest: true }));
    const [job] = await queue.list();
    expect(job?.payload).toMatchObject({ kind: "fix-ci", trigger: { isPullRequest: true, instructions: "" } });
    // The audit: who asked, through which delivery, and that GitHub said they may write.
    expect((await queue.ledger(job!.id)).filter((e) => e.kind === "permission")).toEqual([
      { at: expect.any(Number), kind: "permission", data: { actor: "maintainer", delivery: expect.any(String), via: "comment 9001", decision: expect.stringMatching(/^allowed: write access/) } },
    ]);
  });

  it("queues an explain job for /agent explain, with the question", async () => {
    installationToken();
    permission("maintainer", "write");
    const eyes = nock(API).post(`${REPO}/issues/comments/9001/reactions`, { content: "eyes" }).reply(201, { id: 1 });
    await receive("issue_comment", issueCommentCreated({ body: "/agent explain why is the build red?", pullRequest: true }));
    expect((await queue.list())[0]?.payload).toMatchObject({ kind: "explain", thread: 7, trigger: { type: "comment", isPullRequest: true, instructions: "why is the build red?" } });
    expect(eyes.isDone()).toBe(true);
  });

  it("answers an unknown command with the commands, explain among them", async () => {
    installationToken();
    permission("maintainer", "write");
    const reply = nock(API)
      .post(`${REPO}/issues/7/comments`, (b) => /Unknown command `\/agent frobnicate`/.test(b.body) && /`\/agent explain \[question\]`/.test(b.body) && /`\/agent fix \[instructions\]`/.test(b.body))
      .reply(201, { id: 3 });
    await receive("issue_comment", issueCommentCreated({ body: "/agent frobnicate" }));
    expect(await queue.list()).toHaveLength(0);
    expect(reply.isDone()).toBe(true);
  });

  it.each([
    ["read", 200],
    ["triage", 200],
    ["none", 404],
  ])("politely declines a user with %s access and starts nothing", async (role, status) => {
    installationToken();
    permission("drive-by", role, status);
    const reply = nock(API)
      .post(`${REPO}/issues/7/comments`, (body) => /only people with write access/i.test(body.body) && body.body.includes("@drive-by"))
      .reply(201, { id: 2 });
    await receive("issue_comment", issueCommentCreated({ body: "/agent fix", author: "drive-by" }));
    expect(await queue.list()).toHaveLength(0);
    expect(reply.isDone()).toBe(true);
  });

  it.each([
    ["a bot", { body: "/agent fix", userType: "Bot" as const }],
    ["an ordinary comment", { body: "LGTM, but /agent fix later" }],
  ])("starts nothing for %s (no GitHub calls at all)", async (_name, o) => {
    await receive("issue_comment", issueCommentCreated(o));
    expect(await queue.list()).toHaveLength(0);
  });

  it("/agent stop cancels a waiting job at once and flags a running one for its worker", async () => {
    const runningJob = (await queue.enqueue(ciJob(7, "a"), "k1")).job;
    const queuedJob = (await queue.enqueue(ciJob(7, "b"), "k2")).job;
    const other = (await queue.enqueue(ciJob(8, "c"), "k3")).job;
    await queue.lease("w", 60_000); // takes `runningJob`, the oldest
    installationToken();
    permission("maintainer", "write");
    const reply = nock(API).post(`${REPO}/issues/7/comments`, (b) => /Stopping 2 jobs/.test(b.body)).reply(201, { id: 3 });
    await receive("issue_comment", issueCommentCreated({ body: "/agent stop", pullRequest: true }));
    expect(await queue.cancelRequestedBy(runningJob.id)).toBe("maintainer");
    expect((await queue.get(queuedJob.id))?.state).toBe("cancelled");
    expect(cancelledReports).toEqual([[queuedJob.id, "maintainer"]]);
    expect((await queue.get(other.id))?.state).toBe("queued");
    expect(reply.isDone()).toBe(true);
  });

  it("/agent status lists the thread's jobs", async () => {
    await queue.enqueue(ciJob(7, "a"), "k1");
    installationToken();
    permission("maintainer", "write");
    const reply = nock(API).post(`${REPO}/issues/7/comments`, (b) => /\| 1 \| fix-ci \| queued \|/.test(b.body)).reply(201, { id: 3 });
    await receive("issue_comment", issueCommentCreated({ body: "/agent status", pullRequest: true }));
    expect(reply.isDone()).toBe(true);
  });

  it("answers the same delivery once", async () => {
    installationToken();
    // One permission answer only: the redelivery is dropped before the lookup (a second one would find no mock).
    permission("maintainer", "write");
    nock(API).post(`${REPO}/issues/comments/9001/reactions`).reply(201, { id: 1 });
    await receive("issue_comment", issueCommentCreated({ body: "/agent fix" }), "dup");
    await receive("issue_comment", issueCommentCreated({ body: "/agent fix" }), "dup");
    expect(await queue.list()).toHaveLength(1);
  });

  it("makes no GitHub request at all for a delivery it has seen, not even the permission lookup", async () => {
    await queue.recordDelivery("seen");
    // No mocks and no network: any request (token, permission, reply) would reject the delivery.
    await expect(receive("issue_comment", issueCommentCreated({ body: "/agent status" }), "seen")).resolves.toBeUndefined();
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("handles the redelivery of a comment whose permission lookup failed", async () => {
    installationToken();
    permission("maintainer", "write", 502);
    await expect(receive("issue_comment", issueCommentCreated({ body: "/agent fix" }), "flaky")).rejects.toThrow();
    expect(await queue.list()).toHaveLength(0);
    permission("maintainer", "write");
    const eyes = nock(API).post(`${REPO}/issues/comments/9001/reactions`).reply(201, { id: 1 });
    await receive("issue_comment", issueCommentCreated({ body: "/agent fix" }), "flaky");
    expect(await queue.list()).toHaveLength(1);
    expect(eyes.isDone()).toBe(true);
  });

  it("/agent status lists this thread's jobs only: its commands and its pull request's CI failures", async () => {
    const mine = [(await queue.enqueue(ciJob(7, "a"), "k1")).job.id];
    await queue.enqueue(ciJob(8, "b"), "k2");
    await queue.enqueue({ ...ciJob(7, "c"), repo: { ...ciJob(7, "c").repo, name: "other-repo" } }, "k3");
    const { pullRequest: _pr, ...defaultBranch } = ciJob(7, "d").trigger as Extract<JobPayload["trigger"], { type: "ci" }>;
    const { thread: _thread, ...onDefaultBranch } = ciJob(7, "d");
    await queue.enqueue({ ...onDefaultBranch, trigger: defaultBranch }, "k4");
    mine.push((await queue.enqueue({ ...ciJob(7, "e"), kind: "fix-issue", trigger: { type: "comment", issueNumber: 7, isPullRequest: true, commentId: 1, author: "a", instructions: "" } }, "k5")).job.id);
    installationToken();
    permission("maintainer", "write");
    let body = "";
    nock(API)
      .post(`${REPO}/issues/7/comments`, (b) => ((body = b.body), true))
      .reply(201, { id: 3 });
    await receive("issue_comment", issueCommentCreated({ body: "/agent status", pullRequest: true }));
    expect([...body.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]))).toEqual(mine);
  });
});

describe("check_run.requested_action", () => {
  const SHA = "a".repeat(40);

  /** A press of one of the buttons of the check run that reports job `jobId`. */
  function pressed(identifier: string, jobId: number, by = "maintainer"): Record<string, unknown> {
    const p = checkRunCompleted({ headSha: SHA, appId: 1, appSlug: "patchwright" });
    return {
      ...p,
      action: "requested_action",
      requested_action: { identifier },
      sender: { login: by, id: 5, type: "User" },
      check_run: { ...(p["check_run"] as object), name: "Patchwright", external_id: String(jobId), conclusion: "failure" },
    };
  }

  function permission(user: string, role: string) {
    return nock(API).get(`${REPO}/collaborators/${user}/permission`).reply(200, { permission: role, role_name: role, user: { login: user } });
  }

  /** A CI job for the commit that has ended (the check run's job). */
  async function endedJob(): Promise<number> {
    const { job } = await queue.enqueue(ciJob(7, "a"), "ci:first");
    await queue.lease("w", 60_000);
    await queue.finish(job.id, "w", "failed", "no verified fix");
    return job.id;
  }

  it("'Retry fix' from a user with write access starts a new fix-ci attempt for the commit, acknowledged on a new check run", async () => {
    const first = await endedJob();
    installationToken();
    permission("maintainer", "write");
    const check = nock(API)
      .post(`${REPO}/check-runs`, (b) => b.head_sha === SHA && b.status === "queued" && b.actions?.map((a: { identifier: string }) => a.identifier).join() === "retry,explain,stop")
      .reply(201, { id: 777 });
    await receive("check_run", pressed("retry", first));
    const jobs = await queue.list();
    expect(jobs).toHaveLength(2);
    const retry = jobs.find((j) => j.id !== first);
    expect(retry).toMatchObject({ state: "queued", ackId: 777, payload: { kind: "fix-ci", thread: 7, trigger: { type: "ci", headSha: SHA, headBranch: "feature" } } });
    expect(check.isDone()).toBe(true);
    expect((await queue.ledger(retry!.id)).find((e) => e.kind === "permission")?.data).toMatchObject({ actor: "maintainer", via: "the check run's retry button" });
    // A second press is a second attempt only once this one has ended.
    permission("maintainer", "write");
    await receive("check_run", pressed("retry", first));
    expect(await queue.list()).toHaveLength(2);
  });

  it("'Explain' queues an explain job for the commit", async () => {
    const first = await endedJob();
    installationToken();
    permission("maintainer", "admin");
    nock(API).post(`${REPO}/check-runs`).reply(201, { id: 778 });
    await receive("check_run", pressed("explain", first));
    expect((await queue.list()).find((j) => j.id !== first)?.payload).toMatchObject({ kind: "explain", trigger: { type: "ci", headSha: SHA } });
  });

  it("'Stop' stops the commit's jobs as /agent stop does", async () => {
    const running = (await queue.enqueue(ciJob(7, "a"), "k1")).job;
    const waiting = (await queue.enqueue({ ...ciJob(7, "a"), kind: "explain" }, "k2")).job;
    const other = (await queue.enqueue(ciJob(7, "b"), "k3")).job;
    await queue.lease("w", 60_000);
    installationToken();
    permission("maintainer", "write");
    await receive("check_run", pressed("stop", running.id));
    expect(await queue.cancelRequestedBy(running.id)).toBe("maintainer");
    expect((await queue.get(waiting.id))?.state).toBe("cancelled");
    expect(cancelledReports).toEqual([[waiting.id, "maintainer"]]);
    expect((await queue.get(other.id))?.state).toBe("queued");
  });

  it.each(["read", "triage"])("a press by a user with %s access starts and stops nothing", async (role) => {
    const first = await endedJob();
    const live = (await queue.enqueue(ciJob(7, "a"), "live")).job;
    installationToken();
    permission("drive-by", role);
    await receive("check_run", pressed("retry", first, "drive-by"));
    permission("drive-by", role);
    await receive("check_run", pressed("stop", live.id, "drive-by"));
    expect((await queue.list()).map((j) => j.id)).toEqual([first, live.id]);
    expect((await queue.get(live.id))?.state).toBe("queued");
    expect(await queue.cancelRequestedBy(live.id)).toBeNull();
  });
});

function ciJob(pr: number, shaChar: string): JobPayload {
  return {
    version: 1,
    kind: "fix-ci",
    installationId: 42,
    deliveryId: `d-${shaChar}`,
    repo: { owner: "octo-org", name: "octo-repo", cloneUrl: "https://github.com/octo-org/octo-repo.git", defaultBranch: "main" },
    thread: pr,
    trigger: {
      type: "ci",
      headSha: shaChar.repeat(40),
      headBranch: "feature",
      pullRequest: { number: pr, baseBranch: "main" },
      sources: [{ type: "status", context: "ci", description: "", targetUrl: null }],
    },
  };
}
