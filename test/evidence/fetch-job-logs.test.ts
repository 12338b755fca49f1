import nock from "nock";
import { ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { PatchwrightError } from "../../src/errors.ts";
import { gatherEvidence } from "../../src/evidence/gather-evidence.ts";
import { fetchFailedJobs, fetchJobLog } from "../../src/github/fetch-job-logs.ts";
import { createRepoReads } from "../../src/github/read-repository.ts";
import { failingJob, fixtureLines } from "./helpers.ts";

const API = "https://api.github.com";
const BLOB = "https://productionresultssa0.blob.core.windows.net";
const repo = { owner: "acme", repo: "shop" };

function octokit(): InstanceType<typeof ProbotOctokit> {
  return new ProbotOctokit({ auth: { token: "ghs_testtoken" }, throttle: { enabled: false }, retry: { enabled: false } });
}

function job(id: number, name: string, conclusion: string | null, steps: { name: string; conclusion: string | null }[] = []) {
  return {
    id,
    run_id: 77,
    name,
    status: "completed",
    conclusion,
    html_url: `https://github.com/acme/shop/actions/runs/77/job/${id}`,
    steps: steps.map((s, i) => ({ ...s, number: i + 1, status: "completed" })),
  };
}

describe("fetchFailedJobs", () => {
  it("pages through the run's jobs and keeps the failed ones, matrix entries included", async () => {
    const page1 = Array.from({ length: 100 }, (_, i) =>
      i === 3
        ? job(1003, "test (ubuntu-latest, 20)", "failure", [
            { name: "Set up job", conclusion: "success" },
            { name: "Run npm test", conclusion: "failure" },
            { name: "Post Run actions/checkout@v4", conclusion: "success" },
          ])
        : job(1000 + i, `lint ${i}`, i % 2 ? "success" : "skipped"),
    );
    const page2 = [
      job(2001, "test (windows-latest, 22)", "failure", [{ name: "Run npm test", conclusion: "failure" }]),
      job(2002, "e2e", "timed_out", [
        { name: "Run npm ci", conclusion: "success" },
        { name: "Run e2e", conclusion: "cancelled" },
      ]),
      job(2003, "deploy", "cancelled"),
      job(2004, "docs", null),
    ];
    nock(API)
      .get("/repos/acme/shop/actions/runs/77/jobs")
      .query({ filter: "latest", per_page: "100", page: "1" })
      .reply(200, { total_count: 104, jobs: page1 })
      .get("/repos/acme/shop/actions/runs/77/jobs")
      .query({ filter: "latest", per_page: "100", page: "2" })
      .reply(200, { total_count: 104, jobs: page2 });

    const jobs = await fetchFailedJobs(octokit(), { ...repo, runId: 77 });

    expect(jobs.map((j) => [j.id, j.name, j.conclusion, j.failedSteps])).toEqual([
      [1003, "test (ubuntu-latest, 20)", "failure", ["Run npm test"]],
      [2001, "test (windows-latest, 22)", "failure", ["Run npm test"]],
      [2002, "e2e", "timed_out", ["Run e2e"]],
    ]);
    expect(jobs[0]?.htmlUrl).toBe("https://github.com/acme/shop/actions/runs/77/job/1003");
  });

  it("turns an API failure into a github_api error that says what to check", async () => {
    nock(API).get("/repos/acme/shop/actions/runs/78/jobs").query(true).reply(403, { message: "Resource not accessible by integration" });
    const error = await fetchFailedJobs(octokit(), { ...repo, runId: 78 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PatchwrightError);
    expect((error as PatchwrightError).code).toBe("github_api");
    expect((error as PatchwrightError).message).toMatch(/HTTP 403.*Actions: read/);
  });
});

describe("fetchJobLog", () => {
  it("follows the redirect to the download URL and returns the log text", async () => {
    nock(API)
      .get("/repos/acme/shop/actions/jobs/1003/logs")
      .reply(302, "", { location: `${BLOB}/logs/1003.txt?sig=abc` });
    nock(BLOB).get("/logs/1003.txt").query({ sig: "abc" }).reply(200, "line 1\nline 2\n", { "content-type": "text/plain" });

    expect(await fetchJobLog(octokit(), { ...repo, jobId: 1003 })).toBe("line 1\nline 2\n");
  });

  it("keeps only the tail of a log over the cap, from a line start", async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i}`);
    nock(API).get("/repos/acme/shop/actions/jobs/5/logs").reply(302, "", { location: `${BLOB}/logs/5.txt` });
    nock(BLOB).get("/logs/5.txt").reply(200, lines.join("\n"), { "content-type": "text/plain" });

    const text = await fetchJobLog(octokit(), { ...repo, jobId: 5, maxBytes: 1000 });

    const [marker, ...kept] = text.split("\n");
    expect(marker).toMatch(/^\[\.\.\. first \d+ bytes of the log not downloaded \.\.\.\]$/);
    expect(kept.at(-1)).toBe("line 4999");
    expect(kept[0]).toMatch(/^line \d+$/);
    expect(Buffer.byteLength(kept.join("\n"))).toBeLessThanOrEqual(1000);
  });

  it("reports a log that expired as a github_api error", async () => {
    nock(API).get("/repos/acme/shop/actions/jobs/9/logs").reply(410, { message: "Gone" });
    await expect(fetchJobLog(octokit(), { ...repo, jobId: 9 })).rejects.toMatchObject({ code: "github_api" });
  });
});

describe("gatherEvidence", () => {
  it("distils each failed job's log with its name, failed step and link", async () => {
    nock(API)
      .get("/repos/acme/shop/actions/runs/77/jobs")
      .query(true)
      .reply(200, {
        total_count: 2,
        jobs: [
          job(11, "build", "success"),
          job(12, "test (20)", "failure", [
            { name: "Set up job", conclusion: "success" },
            { name: "Run npm test", conclusion: "failure" },
          ]),
        ],
      });
    nock(API).get("/repos/acme/shop/actions/jobs/12/logs").reply(302, "", { location: `${BLOB}/logs/12.txt` });
    nock(BLOB)
      .get("/logs/12.txt")
      .reply(200, failingJob(fixtureLines("jest.log")), { "content-type": "text/plain; charset=utf-8" });

    nock(API).get("/repos/acme/shop/check-runs/12/annotations").query(true).reply(200, []);

    const evidence = await gatherEvidence(
      createRepoReads(octokit(), { owner: "acme", name: "shop" }),
      [{ type: "workflow_run", runId: 77, runUrl: "https://github.com/acme/shop/actions/runs/77", workflowName: "CI", workflowPath: ".github/workflows/ci.yml" }],
      { budgetBytes: 4000, repoFiles: new Set(["src/cart/cart.test.ts"]) },
    );

    expect(evidence.failedJobs.map((j) => [j.id, j.workflowPath])).toEqual([[12, ".github/workflows/ci.yml"]]);
    expect(evidence.jobs).toHaveLength(1);
    const [only] = evidence.jobs;
    expect(only).toMatchObject({
      jobId: 12,
      jobName: "test (20)",
      conclusion: "failure",
      failedStep: "Run npm test",
      url: "https://github.com/acme/shop/actions/runs/77/job/12#step:2:1",
      references: [{ path: "src/cart/cart.test.ts", line: 23 }],
    });
    expect(only?.excerpt).toContain("● Cart › applies the discount to every line");
    expect(Buffer.byteLength(only?.excerpt ?? "")).toBeLessThanOrEqual(4000);
    expect(evidence.text).toMatch(/^Job "test \(20\)" \(failure\), failed step "Run npm test"\nhttps:\/\/github.com\/acme\/shop/);
  });
});
