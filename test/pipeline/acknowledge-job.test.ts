import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { JobRecord } from "../../src/queue/job.ts";
import { openSqliteQueue, type JobQueue } from "../../src/queue/sqlite-queue.ts";
import { acknowledgeJob } from "../../src/pipeline/acknowledge-job.ts";
import { ciPayload, commentPayload } from "../queue/payloads.ts";

let dir: string;
let queue: JobQueue;
let opened: number[];
const open = async (job: JobRecord): Promise<number> => {
  opened.push(job.id);
  return 900 + job.id;
};

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "pw-ack-"));
  queue = openSqliteQueue({ dataDir: dir });
  opened = [];
});

afterEach(async () => {
  await queue.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("acknowledgeJob (a webhook's check run, opened after the response)", () => {
  it("opens the check run of a job still waiting and records its id", async () => {
    const { job } = await queue.enqueue(ciPayload(), "ci:o/r@a");
    await acknowledgeJob(queue, job, open);
    expect(opened).toEqual([job.id]);
    expect((await queue.get(job.id))?.ackId).toBe(900 + job.id);
  });

  it("opens nothing for a red build's job a worker leased before the acknowledgement ran: the job opened its own check run", async () => {
    const { job } = await queue.enqueue(ciPayload(), "ci:o/r@a");
    expect((await queue.lease("worker-1", 60_000))?.id).toBe(job.id);
    await acknowledgeJob(queue, job, open);
    expect(opened).toEqual([]);
    expect((await queue.get(job.id))?.ackId).toBeNull();
  });

  it("still reacts to a command whose job started first: a job never adds the reaction itself", async () => {
    const { job } = await queue.enqueue(commentPayload(5), "c:5");
    expect((await queue.lease("worker-1", 60_000))?.id).toBe(job.id);
    await acknowledgeJob(queue, job, open);
    expect(opened).toEqual([job.id]);
  });

  it("opens nothing for a red build's job that ended, or one acknowledged already (a redelivered webhook)", async () => {
    const ended = (await queue.enqueue(ciPayload(), "ci:o/r@a")).job;
    await queue.requestCancel([ended.id], "octocat");
    const acked = (await queue.enqueue(ciPayload(), "ci:o/r@b")).job;
    await queue.setAck(acked.id, 77);
    await acknowledgeJob(queue, ended, open);
    await acknowledgeJob(queue, acked, open);
    expect(opened).toEqual([]);
    expect((await queue.get(acked.id))?.ackId).toBe(77);
  });
});
