import { describe, expect, it } from "vitest";
import { JobPayload } from "../../src/queue/job.ts";
import { advisoryPayload } from "./payloads.ts";

describe("JobPayload", () => {
  it("carries an advisory's ranges as a list", () => {
    const payload = advisoryPayload();
    expect(JobPayload.parse(payload)).toEqual(payload);
    expect(JobPayload.safeParse({ ...payload, trigger: { ...payload.trigger, vulnerableRanges: [] } }).success).toBe(false);
  });

  it("reads a payload queued before ranges were a list (joined with ||) as the list", () => {
    const { trigger, ...rest } = advisoryPayload();
    const { vulnerableRanges: _list, ...legacyTrigger } = trigger as Extract<JobPayload["trigger"], { type: "advisory" }>;
    const stored = JSON.parse(JSON.stringify({ ...rest, trigger: { ...legacyTrigger, vulnerableRange: "< 0.2.4 || >= 1.0.0, < 1.2.6" } })) as unknown;
    expect(JobPayload.parse(stored).trigger).toMatchObject({ type: "advisory", vulnerableRanges: ["< 0.2.4", ">= 1.0.0, < 1.2.6"] });
    expect(JobPayload.parse(stored).trigger).not.toHaveProperty("vulnerableRange");
  });
});
