import { describe, expect, it } from "vitest";
import { prTitle, titleTail, TITLE_MAX } from "../../src/pipeline/origins/pr-title.ts";

describe("prTitle", () => {
  it.each([
    ["one short sentence", "Fixed the operator in add().", "Fix CI on main: Fix the operator in add()"],
    ["only the first sentence", "add() subtracted its arguments; it now adds them. Also tidied the tests.", "Fix CI on main: add() subtracted its arguments; it now adds them"],
    ["only the first line", "Root cause: add subtracts.\nFiles: src/add.js", "Fix CI on main: Root cause: add subtracts"],
    ["markdown bullets and bold dropped", "\n- **Handle** an empty price list!\n", "Fix CI on main: Handle an empty price list"],
    ["an abbreviation is not a sentence end", "Use a default, e.g. zero. Then more.", "Fix CI on main: Use a default, e.g. zero"],
    ["a file name is not a sentence end", "Updates src/total.js to sum every price", "Fix CI on main: Update src/total.js to sum every price"],
    [
      "a long sentence cut at a word, no dangling word",
      "Replaced the hand-rolled date parser with the standard library so that timezone offsets and leap seconds are handled correctly",
      "Fix CI on main: Replace the hand-rolled date parser with the standard…",
    ],
    [
      "a cut never ends on punctuation",
      "Make the retry loop stop after three attempts, then report the last error to the caller with its cause",
      "Fix CI on main: Make the retry loop stop after three attempts, then…",
    ],
    ["a cut never leaves a code span open", "Rename the option so it matches the docs and `configuration.retries.maximum_attempts` works", "Fix CI on main: Rename the option so it matches the docs…"],
    ["an empty summary leaves the prefix", "  \n", "Fix CI on main"],
    ["punctuation only leaves the prefix", "...", "Fix CI on main"],
  ])("%s", (_name, summary, expected) => {
    const title = prTitle("Fix CI on main", summary);
    expect(title).toBe(expected);
    expect(title.length).toBeLessThanOrEqual(TITLE_MAX);
  });

  it("keeps a prefix with no room for a tail as it is", () => {
    const prefix = `Fix CI on ${"very-long-branch-name-".repeat(3)}`;
    expect(prTitle(prefix, "Fixed it.")).toBe(prefix);
  });

  it("takes another separator (the advisory's `[security] …`)", () => {
    expect(prTitle("[security]", "bump lodash to 4.17.21.", { separator: " " })).toBe("[security] bump lodash to 4.17.21");
  });

  it("cuts a single word longer than the room to nothing rather than through it", () => {
    expect(titleTail("x".repeat(100), 20)).toBe("");
  });
});
