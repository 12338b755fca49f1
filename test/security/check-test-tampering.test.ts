import { describe, expect, it } from "vitest";
import { changedTestFiles, checkTestTampering } from "../../src/security/check-test-tampering.ts";
import { isTestFile } from "../../src/security/test-files.ts";
import type { WorkspaceDiff } from "../../src/workspace/types.ts";

type FileChange = WorkspaceDiff["files"][number];

/** A one-file change: `removed` lines replaced by `added` ones in one hunk. */
function change(path: string, removed: string[], added: string[], status: FileChange["status"] = "modified"): WorkspaceDiff {
  const patch = [`diff --git a/${path} b/${path}`, `--- a/${path}`, `+++ b/${path}`, `@@ -1,${removed.length} +1,${added.length} @@`, ...removed.map((l) => `-${l}`), ...added.map((l) => `+${l}`)].join("\n");
  const file: FileChange = { path, status, insertions: added.length, deletions: removed.length, binary: false, oldMode: "100644", newMode: status === "deleted" ? "000000" : "100644" };
  return { patch, files: [file], insertions: added.length, deletions: removed.length, tree: "0".repeat(40) };
}

const CI = { allowTestChanges: false };
const ISSUE = { allowTestChanges: true };

describe("checkTestTampering", () => {
  it.each<[string, WorkspaceDiff, string[]]>([
    ["a source fix", change("src/add.js", ["export const add = (a, b) => a - b;"], ["export const add = (a, b) => a + b;"]), []],
    ["a deleted test file", change("test/add.test.js", ['test("adds", () => assert.strictEqual(add(2, 3), 5));'], [], "deleted"), ["`test/add.test.js` is a test file and is deleted; a fix may not delete tests"]],
    ["test.skip", change("test/add.test.js", ['test("adds", () => {'], ['test.skip("adds", () => {']), ["`test/add.test.js` skips tests (`.skip`); a fix may not skip a test"]],
    ["describe.skip", change("src/add.spec.ts", ['describe("add", () => {'], ['describe.skip("add", () => {']), ["`src/add.spec.ts` skips tests (`.skip`); a fix may not skip a test"]],
    ["it.skip.each", change("__tests__/a.js", ["it.each(rows)('x', () => {"], ["it.skip.each(rows)('x', () => {"]), ["`__tests__/a.js` skips tests (`.skip`); a fix may not skip a test"]],
    ["it.only", change("test/a.test.js", ['it("a", () => {'], ['it.only("a", () => {']), ["`test/a.test.js` focuses tests (`.only`), which skips all the others; a fix may not focus a test"]],
    ["xit", change("spec/a.spec.js", ['it("a", () => {'], ['xit("a", () => {']), ["`spec/a.spec.js` skips tests (`xit / xdescribe`); a fix may not skip a test"]],
    ["fdescribe", change("spec/a.spec.js", ['describe("a", () => {'], ['fdescribe("a", () => {']), ["`spec/a.spec.js` focuses tests (`fit / fdescribe`), which skips all the others; a fix may not focus a test"]],
    ["it.todo", change("test/a.test.js", [], ['it.todo("later");']), ["`test/a.test.js` skips tests (`.todo`); a fix may not skip a test"]],
    ["this.skip()", change("test/a.js", [], ["    this.skip();"]), ["`test/a.js` skips tests (`this.skip()`); a fix may not skip a test"]],
    ["node:test's skip option", change("test/a.test.js", ['test("adds", () => {'], ['test("adds", { skip: true }, () => {']), ["`test/a.test.js` skips tests (`{ skip } / { todo }`); a fix may not skip a test"]],
    ["node:test's t.skip()", change("test/a.test.js", [], ["  t.skip();"]), ["`test/a.test.js` skips tests (`t.skip() / t.todo()`); a fix may not skip a test"]],
    ["@pytest.mark.skip", change("tests/test_calc.py", [], ["@pytest.mark.skip(reason='later')"]), ["`tests/test_calc.py` skips tests (`@pytest.mark.skip / xfail`); a fix may not skip a test"]],
    ["@pytest.mark.xfail", change("calc/calc_test.py", [], ["@pytest.mark.xfail"]), ["`calc/calc_test.py` skips tests (`@pytest.mark.skip / xfail`); a fix may not skip a test"]],
    ["pytest.skip()", change("tests/test_calc.py", [], ["    pytest.skip('flaky')"]), ["`tests/test_calc.py` skips tests (`pytest.skip()`); a fix may not skip a test"]],
    ["@unittest.skip", change("tests/test_calc.py", [], ['@unittest.skip("later")']), ["`tests/test_calc.py` skips tests (`@unittest.skip`); a fix may not skip a test"]],
    ["t.Skip", change("calc/add_test.go", [], ['\tt.Skip("later")']), ["`calc/add_test.go` skips tests (`t.Skip()`); a fix may not skip a test"]],
    ["#[ignore] in a Rust source file", change("src/lib.rs", [], ["    #[ignore]"]), ["`src/lib.rs` skips tests (`#[ignore]`); a fix may not skip a test"]],
    ["@Disabled", change("src/test/java/CalcTest.java", [], ["    @Disabled"]), ["`src/test/java/CalcTest.java` skips tests (`@Disabled / @Ignore`); a fix may not skip a test"]],
    ["RSpec xit", change("spec/calc_spec.rb", ["  it 'adds' do"], ["  xit 'adds' do"]), ["`spec/calc_spec.rb` skips tests (`xit / xdescribe`); a fix may not skip a test"]],
    ["minitest skip", change("test/calc_test.rb", [], ['    skip "later"']), ["`test/calc_test.rb` skips tests (`skip / pending`); a fix may not skip a test"]],
    ["a removed expect", change("test/a.test.js", ["  expect(add(2, 3)).toBe(5);", "  expect(add(0, 0)).toBe(0);"], ["  expect(add(0, 0)).toBe(0);"]), ["`test/a.test.js` removes 1 assertion; a fix may not weaken a test"]],
    ["a commented-out assert", change("tests/test_calc.py", ["    assert add(2, 3) == 5"], ["    # assert add(2, 3) == 5"]), ["`tests/test_calc.py` removes 1 assertion; a fix may not weaken a test"]],
    ["removed Go checks", change("add_test.go", ['\t\tt.Errorf("got %d", got)', "\trequire.Equal(t, 5, got)"], []), ["`add_test.go` removes 2 assertions; a fix may not weaken a test"]],
    ["a loosened expect", change("test/a.test.js", ["  expect(add(2, 3)).toBe(5);"], ["  expect(add(2, 3)).toBeDefined();"]), ["`test/a.test.js` loosens 1 assertion (to one that checks almost nothing); a fix may not weaken a test"]],
    ["a changed expectation", change("test/add.test.js", ['test("adds", () => assert.strictEqual(add(2, 3), 5));'], ['test("adds", () => assert.strictEqual(add(2, 3), -1));']), ["`test/add.test.js` changes 1 assertion; a fix of a failing build changes the code, not what its tests expect (ask with `/agent fix` to change tests)"]],
    ["a reformatted assertion", change("test/a.test.js", ["  expect(f('x')).toBe( 5 )"], ['  expect(f("x")).toBe(5);']), []],
    ["a new assertion", change("test/a.test.js", [], ['  expect(add(1, 1)).toBe(2);']), []],
    ["a marker in a comment", change("test/a.test.js", [], ["  // don't use it.only here"]), []],
    ["a marker moved, not added", change("test/a.test.js", ['it.skip("a", () => {});', 'it("b", () => {});'], ['it("b", () => {});', 'it.skip("a", () => {});']), []],
    ["skip markers outside tests", change("src/query.js", [], ["const page = rows.skip(10);", "  skip: true,"]), []],
  ])("%s", (_name, diff, expected) => {
    expect(checkTestTampering(diff, CI)).toEqual(expected);
  });

  it("lets a request for tests change what they expect, but never delete, skip or weaken them", () => {
    const changed = change("test/add.test.js", ["  expect(add(2, 3)).toBe(5);"], ["  expect(add(2, 3)).toBe(6);"]);
    expect(checkTestTampering(changed, ISSUE)).toEqual([]);
    expect(checkTestTampering(change("test/new.test.js", [], ['it("new", () => expect(f()).toBe(1));'], "added"), ISSUE)).toEqual([]);
    expect(checkTestTampering(change("test/add.test.js", ['it("a", () => {'], ['it.skip("a", () => {']), ISSUE)).toHaveLength(1);
    expect(checkTestTampering(change("test/add.test.js", ["x"], [], "deleted"), ISSUE)).toHaveLength(1);
    expect(checkTestTampering(change("test/add.test.js", ["  expect(a).toBe(1);"], []), ISSUE)).toHaveLength(1);
  });

  it("recognises test files by the ecosystems' conventions, and lists those a change touches", () => {
    const tests = ["test/add.js", "tests/test_x.py", "pkg/__tests__/a.ts", "spec/a_spec.rb", "src/add.test.ts", "src/add.spec.jsx", "calc/add_test.go", "calc/test_add.py", "calc/add_test.py", "conftest.py", "src/main/CalcTest.java", "CalcTests.cs", "src/__snapshots__/a.test.ts.snap", "e2e/login.ts"];
    const sources = ["src/add.js", "src/testing.ts", "src/contest.py", "lib/attest.go", "src/Tester.java", "latest/a.js"];
    expect(tests.filter((p) => !isTestFile(p))).toEqual([]);
    expect(sources.filter((p) => isTestFile(p))).toEqual([]);
    const both: WorkspaceDiff = { ...change("src/add.js", [], ["x"]), files: [...change("src/add.js", [], ["x"]).files, ...change("test/add.test.js", [], ["y"]).files] };
    expect(changedTestFiles(both)).toEqual(["test/add.test.js"]);
  });
});
