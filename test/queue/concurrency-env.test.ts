import { describe, expect, it } from "vitest";
import { defaultConcurrency } from "../../src/config/default-concurrency.ts";
import { loadEnv } from "../../src/config/env.ts";
import { TEST_PRIVATE_KEY } from "../support/test-probot.ts";

/** PATCHWRIGHT_CONCURRENCY and the tenant caps, as the environment sets them. */

const complete = { APP_ID: "12", PRIVATE_KEY: TEST_PRIVATE_KEY, WEBHOOK_SECRET: "s3cret-value", OPENAI_API_KEY: "sk-abc" };
const GiB = 1024 ** 3;
const jobsOf = (raw: Record<string, string>, machine = { cpus: 8, freeMemBytes: 64 * GiB }) => {
  const loaded = loadEnv({ ...complete, ...raw }, "/srv", machine);
  return loaded.mode === "app" ? loaded.env.jobs : undefined;
};

describe("concurrency settings", () => {
  it("defaults to one job per CPU, as far as free memory holds 2 GiB a job, and at least one", () => {
    expect(defaultConcurrency({ cpus: 8, freeMemBytes: 64 * GiB })).toBe(8);
    expect(defaultConcurrency({ cpus: 8, freeMemBytes: 7 * GiB })).toBe(3);
    expect(defaultConcurrency({ cpus: 4, freeMemBytes: 1 * GiB })).toBe(1);
  });

  it("gives an installation half the slots (rounded up) and a repository one, unless set", () => {
    expect(jobsOf({})).toEqual({ concurrency: 8, maxPerInstallation: 4, maxPerRepository: 1 });
    expect(jobsOf({}, { cpus: 1, freeMemBytes: 0 })).toEqual({ concurrency: 1, maxPerInstallation: 1, maxPerRepository: 1 });
    expect(jobsOf({ PATCHWRIGHT_CONCURRENCY: "5", PATCHWRIGHT_MAX_PER_INSTALLATION: "5", PATCHWRIGHT_MAX_PER_REPOSITORY: "2" })).toEqual({
      concurrency: 5,
      maxPerInstallation: 5,
      maxPerRepository: 2,
    });
    expect(jobsOf({ PATCHWRIGHT_CONCURRENCY: "3" })).toEqual({ concurrency: 3, maxPerInstallation: 2, maxPerRepository: 1 });
  });

  it("takes 0 for a process that only answers webhooks, its caps still at least one for the workers", () => {
    expect(jobsOf({ PATCHWRIGHT_CONCURRENCY: "0" })).toEqual({ concurrency: 0, maxPerInstallation: 1, maxPerRepository: 1 });
  });

  it.each([
    [{ PATCHWRIGHT_CONCURRENCY: "-1" }, /PATCHWRIGHT_CONCURRENCY/],
    [{ PATCHWRIGHT_CONCURRENCY: "many" }, /PATCHWRIGHT_CONCURRENCY/],
    [{ PATCHWRIGHT_MAX_PER_INSTALLATION: "1.5" }, /PATCHWRIGHT_MAX_PER_INSTALLATION/],
    [{ PATCHWRIGHT_MAX_PER_REPOSITORY: "-1" }, /PATCHWRIGHT_MAX_PER_REPOSITORY/],
  ])("refuses a bad value naming the variable (%#)", (raw, message) => {
    expect(() => jobsOf(raw)).toThrow(message);
  });
});
