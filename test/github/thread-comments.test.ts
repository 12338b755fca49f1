import nock from "nock";
import { ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { createThreadComments, jobMarker } from "../../src/github/thread-comments.ts";
import type { Octokit } from "../../src/github/types.ts";
import { createRedactor } from "../../src/security/redact.ts";

const API = "https://api.github.com";
const REPO = "/repos/o/r";
const octokit = new ProbotOctokit({ auth: { token: "t" }, throttle: { enabled: false }, retry: { enabled: false } }) as unknown as Octokit;
const comments = createThreadComments(octokit, { owner: "o", name: "r" }, createRedactor(["s3cret-value-123456"]));
const report = { conclusion: "success" as const, title: "Fix proposed in #12", summary: "See #12. s3cret-value-123456" };

describe("a job's status comment", () => {
  it("is found by its marker among the app's comments and edited in place", async () => {
    nock(API)
      .get(`${REPO}/issues/7/comments`)
      .query(true)
      .reply(200, [
        { id: 1, body: `quoting ${jobMarker(5)}`, user: { type: "User" } },
        { id: 2, body: `**Working on it**\n${jobMarker(4)}`, user: { type: "Bot" } },
        { id: 3, body: `**Working on it**\n${jobMarker(5)}`, user: { type: "Bot" } },
      ]);
    let body = "";
    const edited = nock(API)
      .patch(`${REPO}/issues/comments/3`, (b) => Boolean((body = b.body)))
      .reply(200, { id: 3 });
    expect(await comments.jobStatus(7, 5, report)).toBe(3);
    expect(edited.isDone()).toBe(true);
    expect(body).toContain("**Fix proposed in #12**");
    expect(body).not.toContain("s3cret");
    expect(body.endsWith(jobMarker(5))).toBe(true);
  });

  it("is created, with its marker, when the thread has none; later reports edit it without looking again", async () => {
    nock(API).get(`${REPO}/issues/7/comments`).query(true).reply(200, []);
    nock(API).post(`${REPO}/issues/7/comments`, (b) => b.body.endsWith(jobMarker(6))).reply(201, { id: 44 });
    const id = await comments.jobStatus(7, 6, { ...report, title: "Working on it" });
    expect(id).toBe(44);
    const edited = nock(API).patch(`${REPO}/issues/comments/44`, (b) => /Fix proposed/.test(b.body)).reply(200, { id: 44 });
    expect(await comments.jobStatus(7, 6, report, id)).toBe(44);
    expect(edited.isDone()).toBe(true);
  });

  it("is created when the thread cannot be read", async () => {
    nock(API).get(`${REPO}/issues/7/comments`).query(true).reply(404, { message: "Not Found" });
    const created = nock(API).post(`${REPO}/issues/7/comments`).reply(201, { id: 45 });
    expect(await comments.jobStatus(7, 8, report)).toBe(45);
    expect(created.isDone()).toBe(true);
  });

  it("keeps its marker when the report is longer than a comment may be", async () => {
    nock(API).get(`${REPO}/issues/7/comments`).query(true).reply(200, []);
    let body = "";
    nock(API)
      .post(`${REPO}/issues/7/comments`, (b) => Boolean((body = b.body)))
      .reply(201, { id: 46 });
    await comments.jobStatus(7, 9, { ...report, details: "x".repeat(100_000) });
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body.endsWith(jobMarker(9))).toBe(true);
  });
});
