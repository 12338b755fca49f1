import { describe, expect, it } from "vitest";
import type { FailureSource } from "../../src/queue/job.ts";
import type { JobQueue } from "../../src/queue/job-queue.ts";
import { describeBackends } from "./backends.ts";
import { fakeClock } from "./fake-clock.ts";
import { advisoryPayload, ciPayload, commentPayload } from "./payloads.ts";

describeBackends((backend) => {
  const open = (): Promise<JobQueue> => backend.open({ now: fakeClock().now });

  describe("jobsOfThread", () => {
    it("finds a thread's commands and its pull request's CI failures, finished or not, oldest first", async () => {
      const q = await open();
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
      const q = await open();
      const { job } = await q.enqueue(ciPayload({ pr: 7 }), "k", { delayMs: 60_000 });
      expect(await q.addFailureSource(job.id, { type: "status", context: "lint", description: "", targetUrl: null })).toBe("added");
      expect((await q.jobsOfThread("o/r", 7)).map((j) => j.payload.trigger.type === "ci" && j.payload.trigger.sources.length)).toEqual([2]);
    });

    it("follows the payload: the thread is derived from it, never stale", async () => {
      const q = await open();
      const { job } = await q.enqueue(ciPayload({ pr: 7 }), "k", { delayMs: 60_000 });
      await q.updateQueued(job.id, ciPayload({ pr: 8 }));
      expect(await q.jobsOfThread("o/r", 7)).toEqual([]);
      expect((await q.jobsOfThread("o/r", 8)).map((j) => j.id)).toEqual([job.id]);
    });
  });

  describe("addFailureSource", () => {
    const run = (runId: number): FailureSource => ({ type: "workflow_run", runId, runUrl: "", workflowName: "ci" });
    const check = (checkRunId: number): FailureSource => ({ type: "check_run", checkRunId, name: "buildkite", app: "buildkite", url: "" });
    const status = (context: string, description = ""): FailureSource => ({ type: "status", context, description, targetUrl: null });
    const sourcesOf = async (q: JobQueue, id: number) => {
      const trigger = (await q.get(id))?.payload.trigger;
      return trigger?.type === "ci" ? trigger.sources : [];
    };

    it("adds a new signal of the commit to the waiting job", async () => {
      const q = await open();
      const { job } = await q.enqueue(ciPayload(), "k", { delayMs: 60_000 });
      expect(await q.addFailureSource(job.id, check(2))).toBe("added");
      expect(await q.addFailureSource(job.id, run(1))).toBe("added");
      expect(await sourcesOf(q, job.id)).toEqual([status("ci"), check(2), run(1)]);
    });

    it.each([
      ["the same workflow run", run(1), run(1)],
      ["the same check run", check(2), check(2)],
      ["the same status context, whatever its description", status("ci/jenkins", "Build #1"), status("ci/jenkins", "Build #2")],
    ])("has nothing to add for %s", async (_name, first, again) => {
      const q = await open();
      const { job } = await q.enqueue(ciPayload(), "k", { delayMs: 60_000 });
      await q.addFailureSource(job.id, first);
      const before = await sourcesOf(q, job.id);
      expect(await q.addFailureSource(job.id, again)).toBe("present");
      expect(await sourcesOf(q, job.id)).toEqual(before);
    });

    it("tells apart signals of different kinds with equal numbers", async () => {
      const q = await open();
      const { job } = await q.enqueue(ciPayload(), "k", { delayMs: 60_000 });
      expect(await q.addFailureSource(job.id, run(5))).toBe("added");
      expect(await q.addFailureSource(job.id, check(5))).toBe("added");
    });

    it("adds nothing to a job that started, or that is not a CI job", async () => {
      const q = await open();
      const { job } = await q.enqueue(ciPayload(), "k");
      await q.lease("w", 60_000);
      expect(await q.addFailureSource(job.id, run(1))).toBe("started");
      expect(await sourcesOf(q, job.id)).toEqual([status("ci")]);
      const comment = (await q.enqueue(commentPayload(7), "c", { delayMs: 60_000 })).job;
      expect(await q.addFailureSource(comment.id, run(1))).toBe("started");
      expect((await q.get(comment.id))?.payload).toEqual(comment.payload);
    });

    it("adds a signal once when two connections report it together", async () => {
      const q = await open();
      const other = await open();
      const { job } = await q.enqueue(ciPayload(), "k", { delayMs: 60_000 });
      const outcomes = await Promise.all([q, other, q, other].map((c) => c.addFailureSource(job.id, run(9))));
      expect(outcomes.toSorted()).toEqual(["added", "present", "present", "present"]);
      expect(await sourcesOf(other, job.id)).toEqual([status("ci"), run(9)]);
    });

    it("adds nothing to a job that was cancelled or has finished", async () => {
      const q = await open();
      const cancelled = (await q.enqueue(ciPayload({ sha: "b" }), "k1", { delayMs: 60_000 })).job;
      await q.requestCancel([cancelled.id], "maintainer");
      expect(await q.addFailureSource(cancelled.id, run(1))).toBe("started");
      const finished = (await q.enqueue(ciPayload({ sha: "c" }), "k2")).job;
      await q.lease("w", 60_000);
      await q.finish(finished.id, "w", "failed", "no fix");
      expect(await q.addFailureSource(finished.id, run(1))).toBe("started");
      expect(await sourcesOf(q, cancelled.id)).toEqual([status("ci")]);
      expect(await sourcesOf(q, finished.id)).toEqual([status("ci")]);
    });
  });
});
