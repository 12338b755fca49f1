import { describe, expect, it } from "vitest";
import { pushOntoBranch } from "../../src/workspace/push-onto-branch.ts";

/** The refusals of the one push outside `patchwright/`; its pushes are in run-fix-job.test.ts (real git). */

const args = {
  dir: "/nonexistent",
  cloneUrl: "https://github.com/o/r.git",
  token: "ghs_unused",
  expectedSha: "a".repeat(40),
  tree: "b".repeat(40),
  message: "Fix",
  author: { name: "patchwright[bot]", email: "bot@example.com" },
  protectedBranch: "main",
};

describe("pushOntoBranch", () => {
  it("never pushes to the default branch", async () => {
    await expect(pushOntoBranch({ ...args, branch: "main" })).rejects.toMatchObject({ code: "push_failed", retryable: false, message: expect.stringContaining("never pushes to the default branch") });
  });

  it("refuses an invalid branch name and a short expected sha", async () => {
    await expect(pushOntoBranch({ ...args, branch: "feature..x" })).rejects.toMatchObject({ code: "push_failed", retryable: false });
    await expect(pushOntoBranch({ ...args, branch: "feature", expectedSha: "abc1234" })).rejects.toMatchObject({ code: "push_failed", retryable: false });
  });
});
