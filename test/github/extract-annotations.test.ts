import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { extractAnnotations, keepInRepository, MAX_ANNOTATIONS } from "../../src/github/extract-annotations.ts";
import { repoFileLines } from "../../src/security/repo-file-lines.ts";

/** `path:line` in a failure's output or a diagnosis, as check run annotations inside the repository. */

const ROOT = "/tmp/pw-ws-123";

describe("extractAnnotations", () => {
  it.each([
    ["a relative path and line", "src/add.js:2 subtracts", "src/add.js", 2],
    ["a column after the line", "at add (src/add.js:2:10)", "src/add.js", 2],
    ["a file:// URL under a GitHub runner's checkout", "at TestContext.<anonymous> (file:///home/runner/work/calc/calc/test/add.test.js:6:10)", "test/add.test.js", 6],
    ["the workspace root", `${ROOT}/lib/x.py:4: in test_x`, "lib/x.py", 4],
    ["the sandbox's mount", "/workspace/pkg/a.ts:9:1 - error", "pkg/a.ts", 9],
    ["a Python traceback", 'File "/home/runner/work/app/app/pkg/mod.py", line 12, in f', "pkg/mod.py", 12],
    ["tsc's form", "src/index.ts(14,7): error TS2322: Type 'string' is not assignable", "src/index.ts", 14],
    ["a GitHub line anchor", "see `src/util.go#L33`", "src/util.go", 33],
    ["a container job's checkout", "/__w/repo/repo/cmd/main.go:8", "cmd/main.go", 8],
    ["a Windows runner's checkout", "D:\\a\\repo\\repo\\src\\win.cs:21", "src/win.cs", 21],
    ["a leading ./", "./test/a.test.js:3", "test/a.test.js", 3],
    ["a markdown code span in a diagnosis", "Root cause: `src/add.js:2` uses `-`.", "src/add.js", 2],
  ])("finds %s", (_name, text, file, line) => {
    expect(extractAnnotations([{ text, level: "failure" }], { roots: [ROOT, "/workspace"] })).toMatchObject([{ path: file, line, level: "failure" }]);
  });

  it.each([
    ["an absolute path outside any checkout", "/etc/passwd:1"],
    ["a path with ..", "../outside/secret.txt:3"],
    ["a path with .. inside", "src/../../x.js:3"],
    ["a home path", "~/notes.md:2"],
    ["node_modules", "at f (node_modules/lib/index.js:10:3)"],
    ["a Node internal", "at node:internal/modules/run_main:123:5"],
    ["an address and port", "connect ECONNREFUSED 127.0.0.1:8080 or localhost:3000"],
    ["line zero", "src/a.js:0"],
    ["a URL", "https://example.com/src/a.js:12"],
    ["no line", "see src/add.js"],
  ])("ignores %s", (_name, text) => {
    expect(extractAnnotations([{ text, level: "failure" }], { roots: [ROOT] })).toEqual([]);
  });

  it("keeps one annotation per path and line, a failure winning over a notice, the message its line", () => {
    const found = extractAnnotations([
      { text: "Root cause: src/add.js:2 returns a - b.\nAlso src/sub.js:5.", level: "notice" },
      { text: "not ok 1\n    at add (src/add.js:2:10)", level: "failure" },
    ]);
    expect(found).toEqual([
      { path: "src/add.js", line: 2, level: "failure", message: "Root cause: src/add.js:2 returns a - b." },
      { path: "src/sub.js", line: 5, level: "notice", message: "Also src/sub.js:5." },
    ]);
  });

  it(`stops at ${MAX_ANNOTATIONS}`, () => {
    const text = Array.from({ length: 80 }, (_, i) => `src/f.js:${i + 1}`).join("\n");
    expect(extractAnnotations([{ text, level: "notice" }])).toHaveLength(MAX_ANNOTATIONS);
  });
});

describe("keepInRepository over a real checkout", () => {
  const root = mkdtempSync(path.join(tmpdir(), "pw-annotations-"));
  const outside = mkdtempSync(path.join(tmpdir(), "pw-outside-"));
  mkdirSync(path.join(root, "src"));
  writeFileSync(path.join(root, "src/add.js"), "export function add(a, b) {\n  return a - b;\n}\n");
  writeFileSync(path.join(outside, "secret.js"), "one\ntwo\nthree\nfour\n");
  symlinkSync(path.join(outside, "secret.js"), path.join(root, "src/link.js"));
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it("keeps files that exist with that many lines, nothing through a link out of the repository", async () => {
    const found = extractAnnotations([{ text: "src/add.js:2\nsrc/add.js:4\nsrc/missing.js:1\nsrc:1\nsrc/link.js:2", level: "failure" }]);
    const kept = await keepInRepository(found, (p) => repoFileLines(root, p));
    expect(kept.map((a) => `${a.path}:${a.line}`)).toEqual(["src/add.js:2"]);
  });

  it("counts lines like an editor: a last line without a newline counts", async () => {
    writeFileSync(path.join(root, "two.txt"), "a\nb");
    expect(await repoFileLines(root, "two.txt")).toBe(2);
    expect(await repoFileLines(root, "src/add.js")).toBe(3);
    expect(await repoFileLines(root, "/etc/passwd")).toBeNull();
    expect(await repoFileLines(root, "src")).toBeNull();
  });
});
