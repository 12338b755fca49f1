import { readFile, stat, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { executeToolCall } from "../../src/agent/tools/index.ts";
import type { ToolContext } from "../../src/agent/tools/index.ts";
import { RUN_COMMAND_MAX_OUTPUT_CHARS } from "../../src/agent/tools/run-command.ts";
import { SECRET, fakeSandbox, makeWorkspace, toolContext } from "./helpers.ts";
import type { TempWorkspace } from "./helpers.ts";

const CI_YML = "on: push\njobs: {}\n";
let ws: TempWorkspace;
beforeEach(async () => {
  ws = await makeWorkspace({
    "src/sum.ts": "export function sum(a: number, b: number) {\n  return a - b;\n}\n",
    "src/dup.ts": "x = 1;\nx = 1;\n",
    ".github/workflows/ci.yml": CI_YML,
    "infra/main.tf": "resource {}\n",
    "logo.png": new Uint8Array([0x89, 0x50, 0x00, 0x47]),
  });
  await writeFile(path.join(ws.outside, "target.txt"), "outside\n");
  await symlink(ws.outside, path.join(ws.root, "out-dir"));
  await symlink(path.join(ws.outside, "target.txt"), path.join(ws.root, "out-file"));
  await symlink(path.join(ws.outside, "created-by-agent.txt"), path.join(ws.root, "dangling"));
  await symlink(".github/workflows/ci.yml", path.join(ws.root, "ci-link.yml"));
});
afterEach(() => ws.cleanup());

const run = (name: string, args: unknown, context: ToolContext = toolContext(ws.root, { protectedPaths: ["infra/**"] })) =>
  executeToolCall({ name, arguments: JSON.stringify(args) }, context);
const read = (rel: string) => readFile(path.join(ws.root, rel), "utf8");
const exists = (file: string) => stat(file).then(() => true, () => false);

describe("edit_file", () => {
  it("replaces the one occurrence and says where", async () => {
    const result = await run("edit_file", { path: "src/sum.ts", old_string: "return a - b;", new_string: "return a + b;" });
    expect(result).toEqual({ ok: true, output: "Edited src/sum.ts at line 2: replaced 1 line(s) with 1." });
    expect(await read("src/sum.ts")).toBe("export function sum(a: number, b: number) {\n  return a + b;\n}\n");
  });

  it("keeps $ patterns in new_string literal", async () => {
    await run("edit_file", { path: "src/sum.ts", old_string: "a - b", new_string: "$& + $1" });
    expect(await read("src/sum.ts")).toContain("return $& + $1;");
  });

  it("refuses when old_string is missing, and says to copy it exactly", async () => {
    const result = await run("edit_file", { path: "src/sum.ts", old_string: "return a * b;", new_string: "x" });
    expect(result.ok).toBe(false);
    expect(result.output).toBe("Error: old_string was not found in src/sum.ts. Read the file again and copy the passage exactly, whitespace included.");
  });

  it("refuses when old_string occurs twice, and says how many times", async () => {
    const result = await run("edit_file", { path: "src/dup.ts", old_string: "x = 1;", new_string: "x = 2;" });
    expect(result.output).toBe("Error: old_string occurs 2 times in src/dup.ts; it must occur exactly once. Include more surrounding lines to make it unique.");
    expect(await read("src/dup.ts")).toBe("x = 1;\nx = 1;\n");
  });

  it("explains that redacted text cannot match", async () => {
    const result = await run("edit_file", { path: "src/sum.ts", old_string: "token = [REDACTED]", new_string: "x" });
    expect(result.output).toMatch(/contains \[REDACTED\], which hides a secret/);
  });

  it.each([
    [{ path: ".github/workflows/ci.yml", old_string: "on: push", new_string: "on: []" }, /\.github\/workflows\/ci\.yml is a protected path \(matches "\.github\/workflows\/\*\*"\)/],
    [{ path: "ci-link.yml", old_string: "on: push", new_string: "on: []" }, /ci-link\.yml is a protected path/],
    [{ path: "infra/main.tf", old_string: "resource", new_string: "x" }, /infra\/main\.tf is a protected path \(matches "infra\/\*\*"\)/],
    [{ path: "out-file", old_string: "outside", new_string: "pwned" }, /symbolic link that points outside/],
    [{ path: "../outside/target.txt", old_string: "outside", new_string: "pwned" }, /contains "\.\."/],
    [{ path: "/etc/hostname", old_string: "a", new_string: "b" }, /is absolute/],
    [{ path: "src/nope.ts", old_string: "a", new_string: "b" }, /does not exist; use write_file/],
    [{ path: "logo.png", old_string: "P", new_string: "Q" }, /binary file/],
    [{ path: "src/sum.ts", old_string: "", new_string: "b" }, /invalid arguments for edit_file: old_string: /],
  ])("refuses %j", async (args, message) => {
    const result = await run("edit_file", args);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(message);
    expect(await read(".github/workflows/ci.yml")).toBe(CI_YML);
    expect(await readFile(path.join(ws.outside, "target.txt"), "utf8")).toBe("outside\n");
  });
});

describe("write_file", () => {
  it("creates a file and its directories", async () => {
    const result = await run("write_file", { path: "test/new/sum.test.ts", content: "test\n" });
    expect(result).toEqual({ ok: true, output: "Created test/new/sum.test.ts (5 bytes)." });
    expect(await read("test/new/sum.test.ts")).toBe("test\n");
  });

  it("replaces an existing file", async () => {
    expect((await run("write_file", { path: "src/sum.ts", content: "x" })).output).toBe("Replaced the content of src/sum.ts (1 bytes).");
    expect(await read("src/sum.ts")).toBe("x");
  });

  it.each([
    [{ path: ".github/workflows/evil.yml", content: "x" }, /is a protected path/, ".github/workflows/evil.yml"],
    [{ path: ".env", content: "TOKEN=x" }, /is a protected path \(matches "\*\*\/\.env"\)/, ".env"],
    [{ path: ".git/hooks/pre-commit", content: "x" }, /is a protected path/, ".git/hooks/pre-commit"],
    [{ path: "out-dir/new.txt", content: "x" }, /symbolic link that points outside/, "../outside/new.txt"],
    [{ path: "dangling", content: "x" }, /target does not exist/, "../outside/created-by-agent.txt"],
    [{ path: "../escape.txt", content: "x" }, /contains "\.\."/, "../escape.txt"],
    [{ path: "/tmp/escape.txt", content: "x" }, /is absolute/, "../escape.txt"],
  ])("refuses %j and writes nothing", async (args, message, notCreated) => {
    const result = await run("write_file", args);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(message);
    expect(await exists(path.join(ws.root, notCreated))).toBe(false);
  });

  it("refuses to overwrite a protected file through a symlink", async () => {
    const result = await run("write_file", { path: "ci-link.yml", content: "pwned" });
    expect(result.output).toMatch(/ci-link\.yml is a protected path/);
    expect(await read(".github/workflows/ci.yml")).toBe(CI_YML);
  });
});

describe("run_command", () => {
  it("runs through the sandbox without network and reports the exit code", async () => {
    const sandbox = fakeSandbox(ws.root, () => ({ exitCode: 1, output: "FAIL sum.test.ts\nexpected 3, got -1\n", durationMs: 1234 }));
    const result = await run("run_command", { command: "npm test" }, toolContext(ws.root, { sandbox, commandTimeoutMs: 90_000 }));
    expect(sandbox.calls).toEqual([{ command: "npm test", options: { network: false, timeoutMs: 90_000 } }]);
    expect(result).toEqual({ ok: true, output: "$ npm test\nexit code 1 in 1.2s\nFAIL sum.test.ts\nexpected 3, got -1\n" });
  });

  it("says when the command timed out or the sandbox cut the output", async () => {
    const sandbox = fakeSandbox(ws.root, () => ({ exitCode: 124, timedOut: true, truncated: true, output: "" }));
    const result = await run("run_command", { command: "sleep 999" }, toolContext(ws.root, { sandbox, commandTimeoutMs: 60_000 }));
    expect(result.output).toBe("$ sleep 999\nexit code 124 (timed out after 60s; the command was killed) in 0.0s\n[the sandbox truncated this output]\n(no output)");
  });

  it("redacts secrets and keeps the end of long output", async () => {
    const long = `${"noise\n".repeat(5_000)}token=${SECRET} ghp_abcdefghijklmnopqrstuvwxyz0123456789\nTHE REAL ERROR\n`;
    const sandbox = fakeSandbox(ws.root, () => ({ exitCode: 2, output: long }));
    const result = await run("run_command", { command: "make" }, toolContext(ws.root, { sandbox }));
    expect(result.output).not.toContain(SECRET);
    expect(result.output).not.toContain("ghp_abcdefghij");
    expect(result.output).toContain("token=[REDACTED] [REDACTED]\nTHE REAL ERROR\n");
    expect(result.output).toContain("characters omitted");
    expect(result.output.length).toBeLessThan(RUN_COMMAND_MAX_OUTPUT_CHARS + 200);
  });

  it("turns a sandbox failure into an observation", async () => {
    const sandbox: ToolContext["sandbox"] = {
      root: ws.root,
      run: () => Promise.reject(new Error("bubblewrap is not installed")),
    };
    const result = await run("run_command", { command: "npm test" }, toolContext(ws.root, { sandbox }));
    expect(result).toEqual({ ok: false, output: "Error: run_command failed: bubblewrap is not installed" });
  });
});

describe("finish", () => {
  it("returns the summary", async () => {
    expect(await run("finish", { summary: "Fixed the sign in sum()." })).toEqual({ ok: true, output: "Finished.", finished: { summary: "Fixed the sign in sum()." } });
  });

  it("refuses an empty summary", async () => {
    expect((await run("finish", { summary: "" })).output).toMatch(/^Error: invalid arguments for finish: summary: /);
  });
});
