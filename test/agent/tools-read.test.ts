import { symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { executeToolCall } from "../../src/agent/tools/index.ts";
import { LIST_FILES_MAX_ENTRIES } from "../../src/agent/tools/list-files.ts";
import { READ_FILE_MAX_BYTES } from "../../src/agent/tools/read-file.ts";
import { SEARCH_MAX_MATCHES } from "../../src/agent/tools/search.ts";
import { makeWorkspace, toolContext } from "./helpers.ts";
import type { TempWorkspace } from "./helpers.ts";

let ws: TempWorkspace;
beforeEach(async () => {
  ws = await makeWorkspace({
    "src/sum.ts": "export function sum(a: number, b: number) {\n  return a - b;\n}\n",
    "src/lib/util.ts": "export const answer = 42;\n",
    "test/sum.test.ts": "import { sum } from '../src/sum.ts';\n// sum(1, 2) === 3\n",
    "node_modules/dep/index.js": "export function sum() {}\n",
    ".git/HEAD": "ref: refs/heads/main\n",
    "logo.png": new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x0d, 0x0a]),
    "empty.txt": "",
  });
  await writeFile(path.join(ws.outside, "passwd"), "root:x:0:0\n");
  await symlink(path.join(ws.outside, "passwd"), path.join(ws.root, "passwd-link"));
});
afterEach(() => ws.cleanup());

const run = (name: string, args: unknown) => executeToolCall({ name, arguments: JSON.stringify(args) }, toolContext(ws.root));

describe("read_file", () => {
  it("returns the content exactly, without line numbers", async () => {
    const result = await run("read_file", { path: "src/sum.ts" });
    expect(result).toEqual({ ok: true, output: "export function sum(a: number, b: number) {\n  return a - b;\n}\n" });
  });

  it.each([
    [{ path: "../outside/passwd" }, /contains "\.\."/],
    [{ path: "/etc/passwd" }, /is absolute/],
    [{ path: "passwd-link" }, /symbolic link that points outside/],
    [{ path: "src/missing.ts" }, /src\/missing\.ts does not exist/],
    [{ path: "src" }, /src is a directory; use list_files/],
    [{ path: "logo.png" }, /logo\.png is a binary file \(8 bytes\)/],
  ])("refuses %j with an observation", async (args, message) => {
    const result = await run("read_file", args);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/^Error: /);
    expect(result.output).toMatch(message);
    expect(result.output).not.toContain("root:x:0:0");
  });

  it("says when a file is empty", async () => {
    expect((await run("read_file", { path: "empty.txt" })).output).toBe("empty.txt is empty.");
  });

  it("cuts a large file at a line break and says so", async () => {
    const line = "x".repeat(99) + "\n";
    await writeFile(path.join(ws.root, "big.txt"), line.repeat(1_000));
    const result = await run("read_file", { path: "big.txt" });
    expect(result.ok).toBe(true);
    const [content, note] = result.output.split("\n[truncated: ");
    expect(content?.length).toBeLessThanOrEqual(READ_FILE_MAX_BYTES);
    expect(content?.endsWith("x\n")).toBe(true);
    expect(note).toMatch(/of 100000 bytes; use search/);
  });
});

describe("list_files", () => {
  it("lists recursively, breadth first, skipping .git and node_modules", async () => {
    const result = await run("list_files", {});
    expect(result.ok).toBe(true);
    expect(result.output.split("\n")).toEqual([
      ".git/ (not listed)",
      "empty.txt",
      "logo.png",
      "node_modules/ (not listed)",
      "passwd-link (symbolic link)",
      "src/",
      "test/",
      "src/lib/",
      "src/sum.ts",
      "test/sum.test.ts",
      "src/lib/util.ts",
    ]);
  });

  it("lists a subdirectory with repository-relative names", async () => {
    expect((await run("list_files", { path: "src/lib" })).output).toBe("src/lib/util.ts");
  });

  it("caps the number of entries", async () => {
    for (let i = 0; i < LIST_FILES_MAX_ENTRIES + 5; i++) await writeFile(path.join(ws.root, `f${String(i).padStart(4, "0")}.txt`), "");
    const lines = (await run("list_files", { path: "." })).output.split("\n");
    expect(lines).toHaveLength(LIST_FILES_MAX_ENTRIES + 1);
    expect(lines.at(-1)).toMatch(/^\[truncated after 400 entries/);
  });

  it.each([
    [{ path: "../" }, /contains "\.\."/],
    [{ path: "/" }, /is absolute/],
    [{ path: "nope" }, /nope does not exist/],
  ])("refuses %j", async (args, message) => {
    const result = await run("list_files", args);
    expect(result).toMatchObject({ ok: false });
    expect(result.output).toMatch(message);
  });
});

describe("search", () => {
  it("finds regex matches as path:line: text, skipping node_modules and binaries", async () => {
    const result = await run("search", { pattern: "sum\\(" });
    expect(result.ok).toBe(true);
    expect(result.output.split("\n")).toEqual(["src/sum.ts:1: export function sum(a: number, b: number) {", "test/sum.test.ts:2: // sum(1, 2) === 3"]);
  });

  it("searches an invalid regex as literal text and says so", async () => {
    const result = await run("search", { pattern: "sum(1", path: "test" });
    expect(result.output).toBe("(not a valid regular expression; searched as literal text)\ntest/sum.test.ts:2: // sum(1, 2) === 3");
  });

  it("searches a single file", async () => {
    expect((await run("search", { pattern: "return", path: "src/sum.ts" })).output).toBe("src/sum.ts:2: return a - b;");
  });

  it("reports no matches with the number of files searched", async () => {
    expect((await run("search", { pattern: "nothing-like-this", path: "src" })).output).toBe("No matches for nothing-like-this in src (2 files searched).");
  });

  it("skips files over the size cap and caps the matches", async () => {
    await writeFile(path.join(ws.root, "huge.txt"), "needle\n".repeat(200_000));
    await writeFile(path.join(ws.root, "many.txt"), "needle\n".repeat(SEARCH_MAX_MATCHES + 10));
    const lines = (await run("search", { pattern: "needle" })).output.split("\n");
    expect(lines.filter((l) => l.startsWith("huge.txt"))).toEqual([]);
    expect(lines).toHaveLength(SEARCH_MAX_MATCHES + 1);
    expect(lines.at(-1)).toMatch(/stopped after 100 matches/);
  });

  it("does not follow a symlink out of the workspace", async () => {
    expect((await run("search", { pattern: "root" })).output).toMatch(/^No matches/);
    expect((await run("search", { pattern: "root", path: "passwd-link" })).output).toMatch(/symbolic link that points outside/);
  });
});
