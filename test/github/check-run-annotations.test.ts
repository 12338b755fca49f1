import nock from "nock";
import { ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { ANNOTATIONS_PER_REQUEST, createCheckRuns } from "../../src/github/check-runs.ts";
import type { Annotation } from "../../src/github/report.ts";
import type { Octokit } from "../../src/github/types.ts";
import { createRedactor } from "../../src/security/redact.ts";

/** A report's annotations on the completed check run: GitHub's shape, 50 to a request, redacted. */

const API = "https://api.github.com";
const REPO = "/repos/o/r";
const octokit = new ProbotOctokit({ auth: { token: "t" }, throttle: { enabled: false }, retry: { enabled: false } }) as unknown as Octokit;
const checks = createCheckRuns(octokit, { owner: "o", name: "r" }, createRedactor(["s3cret-value-123456"]));

type Body = { status?: string; conclusion?: string; output: { title: string; summary: string; annotations?: Record<string, unknown>[] } };

function annotations(n: number): Annotation[] {
  return Array.from({ length: n }, (_, i) => ({ path: `src/f${i}.ts`, line: i + 1, level: i === 0 ? "failure" : "notice", message: `line ${i + 1} s3cret-value-123456` }));
}

describe("a completed check run's annotations", () => {
  it("go with the completion in GitHub's shape, redacted", async () => {
    const bodies: Body[] = [];
    nock(API)
      .patch(`${REPO}/check-runs/5`, (b) => bodies.push(b) > 0)
      .reply(200, {});
    await checks.complete({ checkRunId: 5, sha: "a", jobId: 1, report: { conclusion: "failure", title: "No verified fix", summary: "s", annotations: annotations(2) } });
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(bodies[0]?.output.annotations).toEqual([
      { path: "src/f0.ts", start_line: 1, end_line: 1, annotation_level: "failure", message: "line 1 [REDACTED]" },
      { path: "src/f1.ts", start_line: 2, end_line: 2, annotation_level: "notice", message: "line 2 [REDACTED]" },
    ]);
  });

  it(`go ${ANNOTATIONS_PER_REQUEST} to a request, the rest in further updates with the same title and summary`, async () => {
    const bodies: Body[] = [];
    nock(API)
      .post(`${REPO}/check-runs`, (b) => bodies.push(b) > 0)
      .reply(201, { id: 8 });
    nock(API)
      .patch(`${REPO}/check-runs/8`, (b) => bodies.push(b) > 0)
      .times(2)
      .reply(200, {});
    await checks.complete({ checkRunId: null, sha: "a", jobId: 1, report: { conclusion: "success", title: "Diagnosis", summary: "why", annotations: annotations(120) } });
    expect(bodies.map((b) => b.output.annotations?.length)).toEqual([50, 50, 20]);
    expect(bodies[0]).toMatchObject({ status: "completed", conclusion: "success", head_sha: "a" });
    for (const later of bodies.slice(1)) {
      expect(later.status).toBeUndefined();
      expect(later.output).toMatchObject({ title: "Diagnosis", summary: "why" });
    }
    expect(bodies[2]?.output.annotations?.at(-1)).toMatchObject({ path: "src/f119.ts", start_line: 120 });
  });

  it("are left out when the report has none", async () => {
    let body: Body | undefined;
    nock(API)
      .patch(`${REPO}/check-runs/5`, (b) => Boolean((body = b)))
      .reply(200, {});
    await checks.complete({ checkRunId: 5, sha: "a", jobId: 1, report: { conclusion: "success", title: "t", summary: "s" } });
    expect(body?.output).not.toHaveProperty("annotations");
  });
});
