import { describe, expect, it } from "vitest";
import { changeText, CUT_NOTE, renderPrBody, type PrBodyInput } from "../../src/pipeline/stages/render-pr-body.ts";

const result = (command: string, exitCode: number, output: string) => ({ command, exitCode, output, durationMs: 1000, timedOut: false, truncated: false });

function input(overrides: Partial<PrBodyInput> = {}): PrBodyInput {
  return {
    failure: "[CI](https://github.com/o/r/actions/runs/1) failed on `main`.",
    summary: "Fixed the operator in add().",
    diagnosis: "Root cause: add subtracts.\nFiles: src/add.js",
    candidates: "- candidate 1 (chosen): passed",
    command: "npm test",
    reproduction: "### Reproduction\n| step | command | before | after |\n\n<details><summary>Output before: npm test (exit 1)</summary>\n\n```\nnot ok 1 - adds\n```\n\n</details>\n<details><summary>Output after: npm test (exit 0)</summary>\n\n```\nok 1 - adds\n```\n\n</details>",
    before: result("npm test", 1, "not ok 1 - adds"),
    after: result("npm test", 0, "ok 1 - adds"),
    diff: { files: [{ path: "src/add.js", insertions: 1, deletions: 1 }], patch: "", tree: "t" } as unknown as PrBodyInput["diff"],
    editedTests: [],
    trace: ["edit_file src/add.js"],
    usage: { turns: 2, promptTokens: 10, completionTokens: 5 },
    spent: { tokens: 25, costUsd: 0.01 },
    ...overrides,
  };
}

const count = (text: string, what: string) => text.split(what).length - 1;

describe("renderPrBody", () => {
  it("prints each section once, and the test output once (in the reproduction)", () => {
    const body = renderPrBody(input());
    for (const heading of ["### What failed", "### Root cause", "### The change", "### Verification", "Output before", "Output after"]) expect(count(body, heading)).toBe(1);
    expect(count(body, "not ok 1 - adds")).toBe(1);
    expect(body).toContain("Fixed the operator in add().");
    expect(body).toContain("Root cause: add subtracts.");
  });

  it("does not repeat a summary that opens with the diagnosis's first sentence", () => {
    const body = renderPrBody(input({ diagnosis: "The add() function subtracts its arguments.\nConfidence: high", summary: "The add() function subtracts its arguments. Changed `-` to `+`." }));
    expect(count(body, "subtracts its arguments")).toBe(1);
    expect(body).toMatch(/### The change\nChanged `-` to `\+`\.\n/);
  });

  it("shows a different full test command's output after the change, once", () => {
    const body = renderPrBody(input({ after: result("npm run test:all", 0, "all 40 suites pass") }));
    expect(count(body, "all 40 suites pass")).toBe(1);
  });

  it("fits GitHub's limit by cutting the trace first, saying so", () => {
    const trace = Array.from({ length: 5000 }, (_, i) => `run_command npm test # ${i} ${"x".repeat(40)}`);
    const body = renderPrBody(input({ trace }));
    expect(body.length).toBeLessThanOrEqual(60_000);
    expect(body).toContain(CUT_NOTE);
    expect(body).toContain("run_command npm test # 0 ");
    expect(body).not.toContain("run_command npm test # 4999 ");
    expect(body).toContain("not ok 1 - adds");
  });

  it("then drops the reproduction's output, keeping its table", () => {
    const huge = "y".repeat(70_000);
    const reproduction = `### Reproduction\n| step | command |\n\n<details><summary>Output before</summary>\n\n\`\`\`\n${huge}\n\`\`\`\n\n</details>`;
    const body = renderPrBody(input({ reproduction, trace: ["a", "b"] }));
    expect(body.length).toBeLessThanOrEqual(60_000);
    expect(body).toContain("| step | command |");
    expect(body).not.toContain("yyyy");
    expect(count(body, CUT_NOTE)).toBeGreaterThanOrEqual(1);
    expect(body).toContain("### Verification");
  });
});

describe("changeText", () => {
  it.each([
    ["different first sentences: the whole summary", "Root cause: X.", "Fixed Y.", "Fixed Y."],
    ["same first sentence: only what it adds", "Root cause: X. More.", "root cause — x! Then fixed Y.", "Then fixed Y."],
    ["the same text: nothing", "X is wrong.", "X is wrong.", ""],
    ["no summary", "X.", "", ""],
    ["neither", "", "", "(no summary)"],
  ])("%s", (_name, diagnosis, summary, expected) => {
    expect(changeText(diagnosis, summary)).toBe(expected);
  });
});
