import { describe, expect, it } from "vitest";
import { threadKey, threadOf } from "../../src/queue/thread-of.ts";
import { advisoryPayload, ciPayload, commentPayload } from "./payloads.ts";

describe("threadOf", () => {
  it("is a command's own issue or pull request", () => {
    expect(threadOf(commentPayload(7))).toBe("o/r#7");
    expect(threadOf(commentPayload(7, { repoName: "other" }))).toBe("o/other#7");
  });

  it("is the pull request whose head failed CI", () => {
    expect(threadOf(ciPayload({ pr: 12 }))).toBe(threadKey("o/r", 12));
  });

  it("is none for a red default branch or an advisory", () => {
    expect(threadOf(ciPayload())).toBeNull();
    expect(threadOf(advisoryPayload())).toBeNull();
  });
});
