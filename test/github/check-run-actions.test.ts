import { describe, expect, it } from "vitest";
import { checkRunActionId, ENDED_ACTIONS, WORKING_ACTIONS } from "../../src/github/check-run-actions.ts";

describe("check run buttons", () => {
  it("fit GitHub's limits: at most three, label ≤ 20, description ≤ 40, identifier ≤ 20", () => {
    for (const actions of [WORKING_ACTIONS, ENDED_ACTIONS]) {
      expect(actions.length).toBeLessThanOrEqual(3);
      for (const a of actions) {
        expect(a.label.length).toBeLessThanOrEqual(20);
        expect(a.description.length).toBeLessThanOrEqual(40);
        expect(a.identifier.length).toBeLessThanOrEqual(20);
      }
    }
    expect(WORKING_ACTIONS.map((a) => a.label)).toEqual(["Retry fix", "Explain", "Stop"]);
  });

  it("knows its own identifiers only", () => {
    expect(["retry", "explain", "stop", "merge", undefined].map(checkRunActionId)).toEqual(["retry", "explain", "stop", null, null]);
  });
});
