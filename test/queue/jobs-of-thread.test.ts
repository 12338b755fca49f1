import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FailureSource } from "../../src/queue/job.ts";
import { openSqliteQueue, type JobQueue } from "../../src/queue/sqlite-queue.ts";
import { advisoryPayload, ciPayload, commentPayload } from "./payloads.ts";

let dir: string;
let q: JobQueue;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "pw-queue-thread-"));
  q = openSqliteQueue({ dataDir: dir });
});
afterEach(async () => {
  await q.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("jobsOfThread", () => {
  it("finds a thread's commands and its pull request's CI failures, finished or not, oldest first", async () => {
    const command = (await q.enqueue(commentPayload(7), "c1")).job;
    const prFailure = (await q.enqueue(ciPayload({ sha: "b", pr: 7 }), "k2")).job;
    await q.enqueue(ciPayload({ sha: "c", pr: 8 }), "k3");
    await q.enqueue(ciPayload({ sha: "d" }), "k4");
    await q.enqueue(ciPayload({ sha: "e", pr: 7, repoName: "other" }), "k5");
    await q.enqueue(commentPayload(7, { repoName: "other", commentId: 2 }), "k6");
    await q.enqueue(advisoryPayload(), "k7");
    await q.lease("w", 60_000);
    await q.finish(command.id, "w", "succeeded", "done");
    expect((await q.jobsOfThread("o/r", 7)).map((j) => [j.id, j.state])).toEqual([
      [command.id, "succeeded"],
      [prFailure.id, "queued"],
    ]);
    expect(await q.jobsOfThread("o/r", 9)).toEqual([]);
  });

  it("keeps finding a job a failure source was added to", async () => {
    const { job } = await q.enqueue(ciPayload({ pr: 7 }), "k", { delayMs: 60_000 });
    expect(await q.addFailureSource(job.id, { type: "status", context: "lint", description: "", targetUrl: null })).toBe("added");
    expect((await q.jobsOfThread("o/r", 7)).map((j) => j.payload.trigger.type === "ci" && j.payload.trigger.sources.length)).toEqual([2]);
  });

  it("follows the payload: the thread is derived from it, never stale", async () => {
    const { job } = await q.enqueue(ciPayload({ pr: 7 }), "k", { delayMs: 60_000 });
    await q.updateQueued(job.id, ciPayload({ pr: 8 }));
    expect(await q.jobsOfThread("o/r", 7)).toEqual([]);
    expect((await q.jobsOfThread("o/r", 8)).map((j) => j.id)).toEqual([job.id]);
  });

  it("is an indexed lookup, not a scan of every job", () => {
    const raw = new DatabaseSync(path.join(dir, "patchwright.db"));
    try {
      const plan = raw.prepare("EXPLAIN QUERY PLAN SELECT * FROM jobs WHERE thread = ? ORDER BY id").all("o/r#7") as { detail: string }[];
      expect(plan.map((p) => p.detail).join("\n")).toMatch(/USING INDEX jobs_thread \(thread=\?\)/);
      expect(plan.map((p) => p.detail).join("\n")).not.toMatch(/TEMP B-TREE/);
    } finally {
      raw.close();
    }
  });
});

describe("addFailureSource", () => {
  const run = (runId: number): FailureSource => ({ type: "workflow_run", runId, runUrl: "", workflowName: "ci" });
  const check = (checkRunId: number): FailureSource => ({ type: "check_run", checkRunId, name: "buildkite", app: "buildkite", url: "" });
  const status = (context: string, description = ""): FailureSource => ({ type: "status", context, description, targetUrl: null });
  const sourcesOf = async (id: number) => {
    const trigger = (await q.get(id))?.payload.trigger;
    return trigger?.type === "ci" ? trigger.sources : [];
  };

  it("adds a new signal of the commit to the waiting job", async () => {
    const { job } = await q.enqueue(ciPayload(), "k", { delayMs: 60_000 });
    expect(await q.addFailureSource(job.id, check(2))).toBe("added");
    expect(await q.addFailureSource(job.id, run(1))).toBe("added");
    expect(await sourcesOf(job.id)).toEqual([status("ci"), check(2), run(1)]);
  });

  it.each([
    ["the same workflow run", run(1), run(1)],
    ["the same check run", check(2), check(2)],
    ["the same status context, whatever its description", status("ci/jenkins", "Build #1"), status("ci/jenkins", "Build #2")],
  ])("has nothing to add for %s", async (_name, first, again) => {
    const { job } = await q.enqueue(ciPayload(), "k", { delayMs: 60_000 });
    await q.addFailureSource(job.id, first);
    const before = await sourcesOf(job.id);
    expect(await q.addFailureSource(job.id, again)).toBe("present");
    expect(await sourcesOf(job.id)).toEqual(before);
  });

  it("tells apart signals of different kinds with equal numbers", async () => {
    const { job } = await q.enqueue(ciPayload(), "k", { delayMs: 60_000 });
    expect(await q.addFailureSource(job.id, run(5))).toBe("added");
    expect(await q.addFailureSource(job.id, check(5))).toBe("added");
  });

  it("adds nothing to a job that started, or that is not a CI job", async () => {
    const { job } = await q.enqueue(ciPayload(), "k");
    await q.lease("w", 60_000);
    expect(await q.addFailureSource(job.id, run(1))).toBe("started");
    expect(await sourcesOf(job.id)).toEqual([status("ci")]);
    const comment = (await q.enqueue(commentPayload(7), "c", { delayMs: 60_000 })).job;
    expect(await q.addFailureSource(comment.id, run(1))).toBe("started");
    expect((await q.get(comment.id))?.payload).toEqual(comment.payload);
  });
});
