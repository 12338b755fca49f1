import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import nock from "nock";
import { ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { openPullRequest } from "../../src/github/open-pull-request.ts";
import type { Octokit } from "../../src/github/types.ts";
import { parseRepoConfig } from "../../src/config/repo-config.ts";
import { createRedactor } from "../../src/security/redact.ts";

const API = "https://api.github.com";
const REPO = "/repos/o/r";
const octokit = new ProbotOctokit({ auth: { token: "t" }, throttle: { enabled: false }, retry: { enabled: false } }) as unknown as Octokit;
const redact = createRedactor(["s3cret-value-123456"]);

function open(args: { draft: boolean; labels?: string[] }) {
  const pushed: string[] = [];
  return {
    pushed,
    result: openPullRequest(octokit, { owner: "o", name: "r" }, redact, {
      jobId: 9,
      branch: "patchwright/fix-abc1234",
      base: "main",
      title: "Fix CI on main: Fix add",
      body: "body s3cret-value-123456",
      draft: args.draft,
      labels: args.labels ?? ["patchwright", "fix-ci"],
      push: async (branch) => void pushed.push(branch),
    }),
  };
}

describe("openPullRequest", () => {
  it("opens a draft, redacted, and labels it", async () => {
    nock(API).get(`${REPO}/pulls`).query(true).reply(200, []);
    nock(API).post(`${REPO}/pulls`, (b) => b.draft === true && !b.body.includes("s3cret") && b.head === "patchwright/fix-abc1234").reply(201, { number: 5, html_url: "u/5" });
    const labels = nock(API).post(`${REPO}/issues/5/labels`, { labels: ["patchwright", "fix-ci"] }).reply(200, []);
    const { result, pushed } = open({ draft: true });
    expect(await result).toEqual({ number: 5, url: "u/5", branch: "patchwright/fix-abc1234", draft: true });
    expect(pushed).toEqual(["patchwright/fix-abc1234"]);
    expect(labels.isDone()).toBe(true);
  });

  it("opens a ready pull request with `draft: false`", async () => {
    nock(API).get(`${REPO}/pulls`).query(true).reply(200, []);
    nock(API).post(`${REPO}/pulls`, (b) => b.draft === false).reply(201, { number: 6, html_url: "u/6" });
    nock(API).post(`${REPO}/issues/6/labels`).reply(200, []);
    expect(await open({ draft: false }).result).toMatchObject({ number: 6, draft: false });
  });

  it("falls back to an ordinary pull request where the repository cannot have drafts", async () => {
    nock(API).get(`${REPO}/pulls`).query(true).reply(200, []);
    nock(API).post(`${REPO}/pulls`, (b) => b.draft === true).reply(422, { message: "Draft pull requests are not supported in this repository." });
    nock(API).post(`${REPO}/pulls`, (b) => b.draft === false).reply(201, { number: 7, html_url: "u/7" });
    nock(API).post(`${REPO}/issues/7/labels`).reply(200, []);
    expect(await open({ draft: true }).result).toMatchObject({ number: 7, draft: false });
  });

  it("never fails delivery over labels: the pull request is returned with why", async () => {
    nock(API).get(`${REPO}/pulls`).query(true).reply(200, []);
    nock(API).post(`${REPO}/pulls`).reply(201, { number: 8, html_url: "u/8" });
    nock(API).post(`${REPO}/issues/8/labels`).reply(403, { message: "Resource not accessible by integration" });
    const opened = await open({ draft: true }).result;
    expect(opened).toMatchObject({ number: 8, url: "u/8" });
    expect(opened.labelError).toMatch(/not accessible/);
  });

  it("keeps a pull request a previous run opened, pushing and labelling nothing", async () => {
    nock(API).get(`${REPO}/pulls`).query(true).reply(200, [{ number: 4, html_url: "u/4" }]);
    const { result, pushed } = open({ draft: true });
    expect(await result).toEqual({ number: 4, url: "u/4", branch: "patchwright/fix-abc1234" });
    expect(pushed).toEqual([]);
  });
});

describe("`draft` in .github/patchwright.yml", () => {
  it("defaults to drafts and names the key when invalid", () => {
    expect(parseRepoConfig({})).toMatchObject({ ok: true, config: { draft: true } });
    expect(parseRepoConfig({ draft: false })).toMatchObject({ ok: true, config: { draft: false } });
    const bad = parseRepoConfig({ draft: "sometimes" });
    expect(bad.ok === false && bad.problems[0]).toMatch(/^`draft`:/);
  });
});

describe("what the app never does", () => {
  it("has no call that approves, merges, marks ready for review or force-pushes", () => {
    const root = path.resolve(import.meta.dirname, "../../src");
    const files = readdirSync(root, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
    const forbidden = [/pulls\.merge\b/, /pulls\.createReview\b/, /pulls\.submitReview\b/, /markPullRequestReadyForReview|ready_for_review/, /\/merge["'`]/, /["'`]\+HEAD:/, /--force(?!-with-lease=[^\s"'`]+:)/];
    const found = files.flatMap((f) => {
      const text = readFileSync(path.join(root, f), "utf8");
      // `pushBranch` can force (for its own tests); no caller asks it to. A lease naming the exact
      // commit the branch must be at (`push-onto-branch.ts`) is a compare-and-swap, not a force.
      const forcedPush = f !== path.join("workspace", "push-branch.ts") && /pushBranch\(/.test(text) && /\bforce:/.test(text) ? [`${f}: pushBranch with force`] : [];
      return [...forbidden.filter((re) => re.test(text)).map((re) => `${f}: ${re}`), ...forcedPush];
    });
    expect(found).toEqual([]);
  });
});
