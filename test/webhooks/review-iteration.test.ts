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
import type { JobPayload } from "../../src/queue/job.ts";
import { openSqliteQueue, type JobQueue } from "../../src/queue/sqlite-queue.ts";
import { createRedactor } from "../../src/security/redact.ts";
import { createBackgroundTasks, type BackgroundTasks } from "../../src/webhooks/background-tasks.ts";
import { ITERATION_CAP_MARKER } from "../../src/webhooks/enqueue-iteration.ts";
import { issueCommentCreated, pullRequestReviewSubmitted } from "../support/payloads.ts";
import { createTestProbot } from "../support/test-probot.ts";

/** Review iteration: a review (or `/agent fix <what>`) on the app's own pull request changes its branch, within `max_attempts`. */

const API = "https://api.github.com";
const REPO = "/repos/octo-org/octo-repo";
const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

let dir: string;
let queue: JobQueue;
let tasks: BackgroundTasks;
let probot: Probot;
let delivery = 0;
/** How often the handlers asked who the app's bot user is. */
let appLoginAsked = 0;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "pw-review-"));
  queue = openSqliteQueue({ dataDir: dir });
  tasks = createBackgroundTasks(pino({ level: "silent" }));
  probot = createTestProbot();
  appLoginAsked = 0;
  await probot.load(
    createApp({
      queue,
      tasks,
      redact: createRedactor([]),
      appId: 1,
      appLogin: async () => {
        appLoginAsked++;
        return "patchwright[bot]";
      },
      coalesceMs: 0,
      reportCancelled: async () => {},
      acknowledge: async (job) => {
        const octokit = (await probot.auth(job.payload.installationId)) as never;
        const id = await createOrigin(job, createRepoGitHub(octokit, job.payload.repo, createRedactor([]))).acknowledge();
        if (id !== null) await queue.setAck(job.id, id);
      },
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

function permission(user: string, role: string) {
  return nock(API).get(`${REPO}/collaborators/${user}/permission`).reply(200, { permission: role, role_name: role, user: { login: user } });
}

/** `.github/patchwright.yml` on the default branch (Probot's config plugin asks for the raw file), or none. */
function config(yaml?: string) {
  if (yaml !== undefined) return nock(API).get(`${REPO}/contents/.github%2Fpatchwright.yml`).reply(200, yaml);
  nock(API).get(`${REPO}/contents/.github%2Fpatchwright.yml`).reply(404, {});
  return nock(API).get("/repos/octo-org/.github/contents/.github%2Fpatchwright.yml").reply(404, {});
}

function reviewComments(reviewId: number, comments: Record<string, unknown>[]) {
  return nock(API).get(`${REPO}/pulls/12/reviews/${reviewId}/comments`).query(true).reply(200, comments);
}

/** The job's status comment: the thread has none yet, so it is created. */
function statusComment(match: (body: string) => boolean) {
  nock(API).get(`${REPO}/issues/12/comments`).query(true).reply(200, []);
  return nock(API).post(`${REPO}/issues/12/comments`, (b) => match(b.body)).reply(201, { id: 700 });
}

async function receive(name: "pull_request_review" | "issue_comment", payload: Record<string, unknown>, id = `r-${++delivery}`) {
  await probot.receive({ id, name, payload } as never);
  await tasks.settled();
}

/** An earlier iteration of pull request #12, finished. */
async function pastIteration(n: number): Promise<void> {
  const payload: JobPayload = {
    version: 1,
    kind: "fix-ci",
    installationId: 42,
    deliveryId: `old-${n}`,
    repo: { owner: "octo-org", name: "octo-repo", cloneUrl: "https://github.com/octo-org/octo-repo.git", defaultBranch: "main" },
    thread: 12,
    trigger: { type: "review", pullNumber: 12, headRef: "patchwright/fix-3484a3f", headSha: String(n).repeat(40), author: "maintainer", via: { type: "review", reviewId: n }, body: "", comments: [{ path: "a.js", line: 1, body: "x" }] },
  };
  const { job } = await queue.enqueue(payload, `old-${n}`);
  const leased = await queue.lease("w", 60_000);
  await queue.finish(leased?.id ?? job.id, "w", "succeeded", "done");
}

describe("pull_request_review.submitted", () => {
  it("queues one iteration of the app's pull request, with the review's comments (file, line, text) as the request, and says so in the thread", async () => {
    installationToken();
    permission("maintainer", "write");
    reviewComments(237895671, [
      { path: "src/add.js", line: 1, original_line: 1, body: "Name the parameters `x` and `y`." },
      { path: "src/old.js", line: null, original_line: 4, body: "This moved; keep it anyway." },
      { path: "README.md", line: null, original_line: null, subject_type: "file", body: "Mention add() here." },
    ]);
    config();
    const queued = statusComment((b) => /\*\*Queued\*\*/.test(b) && /@maintainer's review \(3 comments\)/.test(b) && b.endsWith("<!-- patchwright:job:1 -->"));
    await receive("pull_request_review", pullRequestReviewSubmitted({ body: "A few nits." }));
    const jobs = await queue.list();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.payload).toMatchObject({
      kind: "fix-ci",
      thread: 12,
      trigger: {
        type: "review",
        pullNumber: 12,
        headRef: "patchwright/fix-3484a3f",
        headSha: HEAD,
        author: "maintainer",
        via: { type: "review", reviewId: 237895671, url: "https://github.com/octo-org/octo-repo/pull/12#pullrequestreview-237895671" },
        body: "A few nits.",
        comments: [
          { path: "src/add.js", line: 1, body: "Name the parameters `x` and `y`." },
          { path: "src/old.js", line: 4, body: "This moved; keep it anyway." },
          { path: "README.md", body: "Mention add() here." },
        ],
      },
    });
    expect(queued.isDone()).toBe(true);
    // The app's own pull request is told from the payload: its commits are not read.
    expect(appLoginAsked).toBe(0);
  });

  it("queues a review that requests changes in words only", async () => {
    installationToken();
    permission("maintainer", "admin");
    reviewComments(237895671, []);
    config();
    statusComment((b) => /the request/.test(b));
    await receive("pull_request_review", pullRequestReviewSubmitted({ state: "changes_requested", body: "Use a named export instead." }));
    expect((await queue.list())[0]?.payload.trigger).toMatchObject({ type: "review", body: "Use a named export instead.", comments: [] });
  });

  it.each([
    ["a person's pull request from a fork", { prAuthorType: "User" as const, prAuthor: "someone", headRef: "feature", headRepoFullName: "someone/octo-repo" }],
    ["a person's pull request from the default branch", { prAuthorType: "User" as const, prAuthor: "someone", headRef: "main" }],
    ["a person's pull request, reviewed by a bot", { prAuthorType: "User" as const, prAuthor: "someone", headRef: "feature", reviewerType: "Bot" as const, reviewer: "patchwright[bot]" }],
    ["a person's pull request, approved", { prAuthorType: "User" as const, prAuthor: "someone", headRef: "feature", state: "approved" as const, body: "LGTM" }],
    ["a bot's pull request from another branch", { headRef: "dependabot/npm_and_yarn/lodash-4.17.21" }],
    ["the app's branch in a fork", { headRepoFullName: "someone/octo-repo" }],
    ["a review by a bot (the app itself included)", { reviewerType: "Bot" as const, reviewer: "patchwright[bot]" }],
    ["an approval", { state: "approved" as const, body: "LGTM" }],
  ])("starts nothing, and asks GitHub nothing, for %s", async (_name, o) => {
    // No mocks: any request (token, permission, comments) would fail the delivery.
    await receive("pull_request_review", pullRequestReviewSubmitted(o));
    expect(await queue.list()).toHaveLength(0);
    expect(appLoginAsked).toBe(0);
  });

  it.each(["read", "triage"])("starts nothing and replies nothing for a reviewer with %s access", async (role) => {
    installationToken();
    permission("drive-by", role);
    await receive("pull_request_review", pullRequestReviewSubmitted({ reviewer: "drive-by", state: "changes_requested", body: "Rewrite it in Rust." }));
    expect(await queue.list()).toHaveLength(0);
  });

  it("starts nothing for a review that only talks (commented, no comments on the code)", async () => {
    installationToken();
    permission("maintainer", "write");
    reviewComments(237895671, []);
    await receive("pull_request_review", pullRequestReviewSubmitted({ body: "Interesting approach!" }));
    expect(await queue.list()).toHaveLength(0);
  });

  it("over max_attempts: no job, one comment asking for a person, edited in place when asked again", async () => {
    await pastIteration(1);
    await pastIteration(2);
    installationToken();
    permission("maintainer", "write");
    permission("maintainer", "write");
    reviewComments(237895671, [{ path: "src/add.js", line: 1, body: "Again." }]);
    reviewComments(237895671, [{ path: "src/add.js", line: 1, body: "Again." }]);
    config("max_attempts: 2\n");
    let first = "";
    nock(API).get(`${REPO}/issues/12/comments`).query(true).reply(200, [{ id: 5, body: "a human", user: { type: "User" } }]);
    const asked = nock(API)
      .post(`${REPO}/issues/12/comments`, (b) => Boolean((first = b.body)))
      .reply(201, { id: 801 });
    await receive("pull_request_review", pullRequestReviewSubmitted());
    expect((await queue.list()).filter((j) => j.state === "queued")).toHaveLength(0);
    expect(asked.isDone()).toBe(true);
    expect(first).toMatch(/changed this pull request 2 times/);
    expect(first).toMatch(/`max_attempts`/);
    expect(first).toMatch(/make the change by hand/);
    expect(first.endsWith(ITERATION_CAP_MARKER)).toBe(true);

    // A second review over the cap edits that comment instead of adding another.
    config("max_attempts: 2\n");
    nock(API).get(`${REPO}/issues/12/comments`).query(true).reply(200, [{ id: 801, body: first, user: { type: "Bot" } }]);
    const edited = nock(API).patch(`${REPO}/issues/comments/801`, (b) => b.body === first).reply(200, { id: 801 });
    await receive("pull_request_review", pullRequestReviewSubmitted({ reviewId: 237895671 }));
    expect(edited.isDone()).toBe(true);
    expect(await queue.list()).toHaveLength(2);
  });

  it("counts stopped and skipped iterations out of the cap", async () => {
    await pastIteration(1);
    const stopped = (await queue.enqueue({ ...(await queue.list())[0]!.payload, deliveryId: "s" }, "stopped")).job;
    await queue.requestCancel([stopped.id], "maintainer");
    installationToken();
    permission("maintainer", "write");
    reviewComments(237895671, [{ path: "src/add.js", line: 1, body: "Once more." }]);
    config("max_attempts: 2\n");
    statusComment((b) => /Queued/.test(b));
    await receive("pull_request_review", pullRequestReviewSubmitted());
    expect((await queue.list()).filter((j) => j.state === "queued")).toHaveLength(1);
  });

  it("keeps one live iteration per head commit, and tells a second reviewer to wait", async () => {
    installationToken();
    permission("maintainer", "write");
    permission("other", "write");
    reviewComments(237895671, [{ path: "src/add.js", line: 1, body: "First." }]);
    reviewComments(99, [{ path: "src/add.js", line: 2, body: "Second." }]);
    config();
    config();
    statusComment(() => true);
    const wait = nock(API).post(`${REPO}/issues/12/comments`, (b) => /already changing this pull request at ec26c3e \(job 1\)/.test(b.body)).reply(201, { id: 9 });
    await receive("pull_request_review", pullRequestReviewSubmitted());
    await receive("pull_request_review", pullRequestReviewSubmitted({ reviewer: "other", reviewId: 99 }));
    expect(await queue.list()).toHaveLength(1);
    expect(wait.isDone()).toBe(true);
  });

  it("answers a redelivered review once", async () => {
    installationToken();
    permission("maintainer", "write");
    reviewComments(237895671, [{ path: "src/add.js", line: 1, body: "Rename." }]);
    config();
    statusComment(() => true);
    await receive("pull_request_review", pullRequestReviewSubmitted(), "dup");
    await receive("pull_request_review", pullRequestReviewSubmitted(), "dup");
    expect(await queue.list()).toHaveLength(1);
  });
});

describe("a person's pull request Patchwright committed a fix to", () => {
  const PERSON = { prAuthorType: "User" as const, prAuthor: "someone", headRef: "feature/add" };
  const RUN = "https://github.com/octo-org/octo-repo/actions/runs/30433642";

  function commit(sha: string, message: string, committer: { login: string; type: string } | null) {
    return {
      sha: sha.repeat(40),
      commit: { message, author: { name: "x", email: "x@example.com" }, committer: { name: committer?.login ?? "x", email: "x@example.com" } },
      author: committer,
      committer,
    };
  }
  const theirs = commit("1", "Add add()", { login: "someone", type: "User" });
  const appFix = commit("2", `Fix the failing test\n\nadd() returned a string.\n\nPatchwright-Run: ${RUN}`, { login: "patchwright[bot]", type: "Bot" });

  /** The pull request's commits, one page per array (GitHub's `Link` header between them). */
  function commits(...pages: Record<string, unknown>[][]) {
    return pages.map((page, i) =>
      nock(API)
        .get(`${REPO}/pulls/12/commits`)
        .query((q) => Number(q["page"] ?? 1) === i + 1)
        .reply(200, page, i + 1 < pages.length ? { link: `<${API}${REPO}/pulls/12/commits?per_page=100&page=${i + 2}>; rel="next"` } : {}),
    );
  }

  it("queues one iteration on the person's branch when the app committed to it, reading its commits once (paginated)", async () => {
    installationToken();
    permission("maintainer", "write");
    const read = commits([theirs], [appFix, commit("3", "Tidy", { login: "someone", type: "User" })]);
    reviewComments(237895671, [{ path: "src/add.js", line: 1, body: "Name the parameters `x` and `y`." }]);
    config();
    const queued = statusComment((b) => /\*\*Queued\*\*/.test(b) && /on `feature\/add`/.test(b));
    await receive("pull_request_review", pullRequestReviewSubmitted(PERSON));
    expect(read.every((m) => m.isDone())).toBe(true);
    expect(await queue.list()).toHaveLength(1);
    expect((await queue.list())[0]?.payload).toMatchObject({
      kind: "fix-ci",
      thread: 12,
      trigger: { type: "review", pullNumber: 12, headRef: "feature/add", headSha: HEAD, author: "maintainer", comments: [{ path: "src/add.js", line: 1 }] },
    });
    expect(queued.isDone()).toBe(true);
    expect(appLoginAsked).toBe(1);
  });

  it.each([
    ["no commit of the app's", [theirs]],
    ["the trailer in a commit someone else committed (a person cannot opt in with it)", [theirs, commit("4", `Opt in\n\nPatchwright-Run: ${RUN}`, { login: "someone", type: "User" })]],
    ["the trailer in another bot's commit", [commit("5", `Automated\n\nPatchwright-Run: ${RUN}`, { login: "github-actions[bot]", type: "Bot" })]],
    ["the trailer in a commit GitHub links to no user", [commit("6", `Unknown\n\nPatchwright-Run: ${RUN}`, null)]],
    ["the app's commit without the trailer", [commit("7", "Patchwright-Run is mentioned, not a trailer", { login: "patchwright[bot]", type: "Bot" })]],
  ])("starts nothing, and reads no review comments, for %s", async (_name, page) => {
    installationToken();
    permission("maintainer", "write");
    const read = commits(page);
    // No review-comments mock: reading them would fail the delivery.
    await receive("pull_request_review", pullRequestReviewSubmitted({ ...PERSON, state: "changes_requested", body: "Rename it." }));
    expect(read[0]?.isDone()).toBe(true);
    expect(await queue.list()).toHaveLength(0);
  });

  it("checks the reviewer's access before reading the commits", async () => {
    installationToken();
    permission("drive-by", "read");
    await receive("pull_request_review", pullRequestReviewSubmitted({ ...PERSON, reviewer: "drive-by", state: "changes_requested", body: "Rename it." }));
    expect(await queue.list()).toHaveLength(0);
    expect(appLoginAsked).toBe(0);
  });

  it("makes `/agent fix <what to change>` there an iteration on the person's branch", async () => {
    installationToken();
    permission("maintainer", "write");
    nock(API)
      .get(`${REPO}/pulls/12`)
      .reply(200, { number: 12, html_url: "https://github.com/octo-org/octo-repo/pull/12", title: "Add add()", body: "", user: { login: "someone" }, head: { ref: "feature/add", sha: HEAD, repo: { full_name: "octo-org/octo-repo" } }, base: { ref: "main" } });
    commits([theirs, appFix]);
    config();
    nock(API).post(`${REPO}/issues/comments/9001/reactions`, { content: "eyes" }).reply(201, { id: 1 });
    await receive("issue_comment", issueCommentCreated({ body: "/agent fix use a named export", pullRequest: true, issueNumber: 12, issueAuthorType: "User" }));
    expect((await queue.list())[0]?.payload).toMatchObject({
      kind: "fix-ci",
      trigger: { type: "review", pullNumber: 12, headRef: "feature/add", headSha: HEAD, via: { type: "comment", commentId: 9001 }, body: "use a named export", comments: [] },
    });
  });

  it("keeps `/agent fix <text>` an ordinary fix on a person's pull request the app did not commit to", async () => {
    installationToken();
    permission("maintainer", "write");
    nock(API)
      .get(`${REPO}/pulls/12`)
      .reply(200, { number: 12, html_url: "https://github.com/octo-org/octo-repo/pull/12", title: "Add add()", body: "", user: { login: "someone" }, head: { ref: "feature/add", sha: HEAD, repo: { full_name: "octo-org/octo-repo" } }, base: { ref: "main" } });
    commits([theirs]);
    nock(API).post(`${REPO}/issues/comments/9001/reactions`).reply(201, { id: 1 });
    await receive("issue_comment", issueCommentCreated({ body: "/agent fix the lockfile", pullRequest: true, issueNumber: 12, issueAuthorType: "User" }));
    expect((await queue.list())[0]?.payload).toMatchObject({ kind: "fix-ci", trigger: { type: "comment", isPullRequest: true, instructions: "the lockfile" } });
  });
});

describe("/agent fix on the app's own pull request", () => {
  const appPullRequest = (ref = "patchwright/fix-3484a3f") =>
    nock(API)
      .get(`${REPO}/pulls/12`)
      .reply(200, {
        number: 12,
        html_url: "https://github.com/octo-org/octo-repo/pull/12",
        title: "Fix CI on main",
        body: "",
        user: { login: "patchwright[bot]" },
        head: { ref, sha: HEAD, repo: { full_name: "octo-org/octo-repo" } },
        base: { ref: "main" },
      });

  it("is an iteration on the pull request's branch, with the text as the request", async () => {
    installationToken();
    permission("maintainer", "write");
    appPullRequest();
    config();
    const eyes = nock(API).post(`${REPO}/issues/comments/9001/reactions`, { content: "eyes" }).reply(201, { id: 1 });
    await receive("issue_comment", issueCommentCreated({ body: "/agent fix use a named export", pullRequest: true, issueNumber: 12, issueAuthorType: "Bot" }));
    expect((await queue.list())[0]?.payload).toMatchObject({
      kind: "fix-ci",
      thread: 12,
      trigger: { type: "review", pullNumber: 12, headRef: "patchwright/fix-3484a3f", headSha: HEAD, via: { type: "comment", commentId: 9001 }, body: "use a named export", comments: [] },
    });
    expect(eyes.isDone()).toBe(true);
  });

  it("asks what to change when `/agent fix` says nothing", async () => {
    installationToken();
    permission("maintainer", "write");
    appPullRequest();
    const reply = nock(API).post(`${REPO}/issues/12/comments`, (b) => /Say what to change: `\/agent fix <what to change>`/.test(b.body)).reply(201, { id: 2 });
    await receive("issue_comment", issueCommentCreated({ body: "/agent fix", pullRequest: true, issueNumber: 12, issueAuthorType: "Bot" }));
    expect(await queue.list()).toHaveLength(0);
    expect(reply.isDone()).toBe(true);
  });

  it("over max_attempts asks for a person instead", async () => {
    await pastIteration(1);
    installationToken();
    permission("maintainer", "write");
    appPullRequest();
    config("max_attempts: 1\n");
    nock(API).get(`${REPO}/issues/12/comments`).query(true).reply(200, []);
    const asked = nock(API).post(`${REPO}/issues/12/comments`, (b) => b.body.endsWith(ITERATION_CAP_MARKER)).reply(201, { id: 3 });
    await receive("issue_comment", issueCommentCreated({ body: "/agent fix again", pullRequest: true, issueNumber: 12, issueAuthorType: "Bot" }));
    expect((await queue.list()).filter((j) => j.state === "queued")).toHaveLength(0);
    expect(asked.isDone()).toBe(true);
  });

  it("stays an ordinary fix on another bot's pull request", async () => {
    installationToken();
    permission("maintainer", "write");
    appPullRequest("dependabot/npm_and_yarn/lodash-4.17.21");
    nock(API).post(`${REPO}/issues/comments/9001/reactions`).reply(201, { id: 1 });
    await receive("issue_comment", issueCommentCreated({ body: "/agent fix the lockfile", pullRequest: true, issueNumber: 12, issueAuthorType: "Bot" }));
    expect((await queue.list())[0]?.payload).toMatchObject({ kind: "fix-ci", trigger: { type: "comment", isPullRequest: true, instructions: "the lockfile" } });
  });
});
