/**
 * Rules drawn from how test runners and CI tools lay failures out: one small,
 * realistic excerpt per rule.
 */
import { describe, expect, it } from "vitest";
import { createLogView } from "../../src/evidence/clean-log.ts";
import { distillLog } from "../../src/evidence/distill-log.ts";
import { isCoverageLine, warningSectionLines } from "../../src/evidence/error-signatures.ts";
import { findAnchors } from "../../src/evidence/find-anchors.ts";
import { buildBlocks, type ErrorBlock } from "../../src/evidence/find-error-blocks.ts";
import { splitSteps } from "../../src/evidence/split-steps.ts";
import { githubLog, noise } from "./helpers.ts";

function blocksOf(lines: readonly string[]): ErrorBlock[] {
  const view = createLogView(lines.join("\n"));
  const anchors = findAnchors(view, [
    { range: { from: 0, to: view.count }, edgeBytes: Infinity, weakHeadBytes: Infinity, weakTailBytes: Infinity, maxClassified: 10_000 },
  ]);
  return buildBlocks(view, anchors, () => ({ from: 0, to: view.count }));
}

const traceback = (exception: string, fn = "connect"): string[] => [
  "Traceback (most recent call last):",
  '  File "/app/test_framework/authproxy.py", line 107, in _request',
  "    return self._get_response()",
  `  File "/usr/lib/python3.6/http/client.py", line 936, in ${fn}`,
  "    sock.connect(sa)",
  exception,
];

describe("Python chained exceptions", () => {
  const chained = [
    "2019-08-03T02:07:32.581000Z TestFramework (ERROR): Unexpected exception caught during testing",
    ...traceback("http.client.RemoteDisconnected: Remote end closed connection without response"),
    "",
    "During handling of the above exception, another exception occurred:",
    "",
    ...traceback("ConnectionRefusedError: [Errno 111] Connection refused", "create_connection"),
    "2019-08-03T02:07:32.650000Z TestFramework (INFO): Stopping nodes",
  ];

  it("are one block, from the first traceback to the last exception", () => {
    const first = chained.indexOf("Traceback (most recent call last):");
    const last = chained.indexOf("ConnectionRefusedError: [Errno 111] Connection refused");
    const block = blocksOf(chained).find((b) => b.start <= first && b.end > first);
    expect(block).toBeDefined();
    expect(block?.end).toBeGreaterThan(last);
  });

  it("keep the exception the chain ends with", () => {
    const raw = githubLog([{ title: "python test/functional/test_runner.py", lines: [...noise(2000), ...chained, ...noise(300, 9000)], exitCode: 1 }]);
    const { excerpt } = distillLog(raw, { budgetBytes: 3000 });
    expect(excerpt).toContain("http.client.RemoteDisconnected: Remote end closed connection without response");
    expect(excerpt).toContain("ConnectionRefusedError: [Errno 111] Connection refused");
  });
});

describe("repeated reports", () => {
  it("are told apart by how they end, not only by their first line", () => {
    const lines = [
      ...traceback("KeyError: 'sku'"),
      "",
      "some output",
      "",
      ...traceback("ValueError: invalid literal for int() with base 10: 'abc'"),
      "",
      "some output",
      "",
      ...traceback("KeyError: 'price'"),
    ];
    const keys = blocksOf(lines)
      .filter((b) => b.signature === "python.traceback")
      .map((b) => b.key);
    expect(keys).toHaveLength(3);
    // Different exceptions: distinct; the same exception with another value: a repeat.
    expect(keys[0]).not.toBe(keys[1]);
    expect(keys[0]).toBe(keys[2]);
  });

  it("are all kept when they end differently, even if they open alike", () => {
    const failures = ["KeyError: 'sku'", "ZeroDivisionError: division by zero", "TypeError: 'NoneType' object is not subscriptable"].flatMap((e, i) => [
      `ERROR: test_case_${i} (tests.test_orders.OrderTest)`,
      "----------------------------------------------------------------------",
      ...traceback(e),
      "",
      ...noise(120, i * 1000),
      "",
    ]);
    const raw = githubLog([{ title: "python -m unittest", lines: [...noise(1500), ...failures], exitCode: 1 }]);
    const { excerpt } = distillLog(raw, { budgetBytes: 2500 });
    expect(excerpt).toContain("KeyError: 'sku'");
    expect(excerpt).toContain("ZeroDivisionError: division by zero");
    expect(excerpt).toContain("TypeError: 'NoneType' object is not subscriptable");
  });
});

describe("coverage reports", () => {
  const table = [
    "----------------------------|----------|----------|----------|----------|-------------------|",
    "File                        |  % Stmts | % Branch |  % Funcs |  % Lines | Uncovered Line #s |",
    "----------------------------|----------|----------|----------|----------|-------------------|",
    "All files                   |    98.21 |    95.12 |    99.01 |    98.19 |                   |",
    ...Array.from({ length: 60 }, (_, i) => `  module-${String(i).padEnd(18)}|    ${(90 + (i % 10)).toFixed(2)} |    87.5 |      100 |      100 |        ${i + 10},${i + 40} |`),
    "----------------------------|----------|----------|----------|----------|-------------------|",
  ];

  it("are recognised: istanbul tables and coverage.py rows", () => {
    for (const line of table) expect(isCoverageLine(line)).toBe(true);
    expect(isCoverageLine("inventory/models.py          120     10    92%")).toBe(true);
    expect(isCoverageLine("inventory/models.py    120     10     40     4    91%   12-14, 88")).toBe(true);
    expect(isCoverageLine("  ● Cart › applies the discount to every line")).toBe(false);
    expect(isCoverageLine("| Name | Status |")).toBe(false);
    expect(isCoverageLine("Tests:       1 failed, 219 passed, 220 total")).toBe(false);
  });

  it("printed between the failure and the exit do not crowd out a report that nearly fills the budget", () => {
    const failing = [
      " FAIL  test/autoprefixer.test.js (11.3s)",
      "  ● hacks › supports grid layout",
      "",
      "    expect(received).toEqual(expected)",
      "",
      "    Expected value to equal:",
      `      ["autoprefixer: <css input>:39:3: Can not impliment grid-gap without grid-tamplate-columns", ${'"x", '.repeat(240)}]`,
      "    Received:",
      `      ["autoprefixer: <css input>:39:3: Can not impliment grid-gap without grid-template-columns", ${'"y", '.repeat(240)}]`,
      "",
      ...Array.from({ length: 12 }, (_, i) => `      ${600 + i} |     expect(result.warnings()).toEqual(output${i})`),
      "",
      "      at Object.toEqual (test/autoprefixer.test.js:602:54)",
      "",
      ...table,
      "",
      "Test Suites: 1 failed, 13 passed, 14 total",
      "Tests:       1 failed, 219 passed, 220 total",
    ];
    const raw = githubLog([{ title: "yarn test", lines: [...noise(1500), ...failing], exitCode: 1 }]);
    const { excerpt } = distillLog(raw, { budgetBytes: 4000 });
    expect(excerpt).toContain("● hacks › supports grid layout");
    expect(excerpt).toContain("Received:");
    expect(excerpt).toContain("grid-template-columns");
    expect(excerpt).toContain("at Object.toEqual (test/autoprefixer.test.js:602:54)");
    expect(excerpt).toContain("Tests:       1 failed, 219 passed, 220 total");
  });
});

describe("pytest's warnings summary", () => {
  const warnings = [
    "=============================== warnings summary ===============================",
    ...Array.from({ length: 30 }, (_, i) => [
      `tests/test_conf.py::test_get_user_dir_path[${i}]`,
      "  /app/thefuck/conf.py:53: UserWarning: Config path /home/travis/.thefuck is deprecated. Please move to ~/.config/thefuck",
      "    legacy_user_dir, user_dir))",
      "",
    ]).flat(),
    "-- Docs: https://docs.pytest.org/en/latest/warnings.html",
  ];

  it("is delimited by its banner and the Docs line", () => {
    const lines = ["E       assert 3 == 4", ...warnings, "=== 1 failed, 1609 passed, 4 warnings in 456.94 seconds ==="];
    const inside = warningSectionLines(
      lines.map((_, i) => i),
      (i) => lines[i] ?? "",
    );
    expect(inside[0]).toBe(1);
    expect(inside.at(-1)).toBe(warnings.length);
    expect(inside).toHaveLength(warnings.length);
  });

  it("printed between the failures and the summary line does not crowd them out", () => {
    const report = (k: number, address: string, script: string): string[] => [
      `________________________ test_not_match[command${k}-None] _________________________`,
      "",
      `mocker = <pytest_mock.MockFixture object at ${address}>`,
      `command = Command(script=${script}, output=), which = None`,
      "",
      "    def test_not_match(mocker, command, which):",
      ">       mocker.patch('thefuck.rules.nixos_cmd_not_found.which', return_value=which)",
      "",
      "/app/tests/rules/test_nixos_cmd_not_found.py:17:",
      "_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _",
      "",
      "    def get_original(self):",
      "        target = self.getter()",
      "        if not self.create and original is DEFAULT:",
      "            raise AttributeError(",
      '>               "%s does not have the attribute %r" % (target, name)',
      "            )",
      "E           AttributeError: <module 'thefuck.rules.nixos_cmd_not_found'> does not have the attribute 'which'",
      "",
      "/opt/python/3.7.1/lib/python3.7/unittest/mock.py:1229: AttributeError",
    ];
    const failing = [
      "==================================== ERRORS ====================================",
      ...report(0, "0x7f61e17496a0", "vim"),
      ...report(1, "0x7f61e12fc860", ""),
      ...warnings,
      "=== 4 failed, 1609 passed, 16 skipped, 4 warnings, 2 error in 456.94 seconds ===",
    ];
    const raw = githubLog([{ title: "pytest", lines: [...noise(1500), ...failing], exitCode: 1 }]);
    const { excerpt } = distillLog(raw, { budgetBytes: 1700 });
    expect(excerpt).toContain("test_not_match[command0-None]");
    expect(excerpt).toContain("test_not_match[command1-None]");
    expect(excerpt).toContain("E           AttributeError:");
    expect(excerpt).toContain("=== 4 failed, 1609 passed");
  });
});

describe("travis_retry", () => {
  const raw = [
    "travis_time:start:01",
    "$ bash cibuild.sh",
    ...noise(300),
    "htmlproofer 3.0.6 | Error:  HTML-Proofer found 22 failures!",
    'The command "bash cibuild.sh" exited with 1.',
    "travis_fold:start:after_script",
    "travis_time:start:02",
    "$ travis_retry bundle exec s3_website push",
    ...Array.from({ length: 3 }, (_, k) => [
      "[info] Deploying /home/travis/build/site/_site/* to example.com",
      ...Array.from({ length: 10 }, (_, i) => `[wait] Failed to upload index.html (Access key cannot be null.). Trying again in ${i + 1} seconds.`),
      "[fail] Failed to upload index.html (Access key cannot be null.)",
      "[info] Summary: 3 operations failed.",
      k < 2 ? `The command "bundle exec s3_website push" failed. Retrying, ${k + 2} of 3.` : 'The command "bundle exec s3_website push" failed 3 times.',
      "",
    ]).flat(),
    "travis_fold:end:after_script",
    "",
    "Done. Your build exited with 1.",
  ].join("\n");

  it("giving up ends the step as failed", () => {
    const steps = splitSteps(createLogView(raw));
    const retried = steps.find((s) => s.title.startsWith("travis_retry"));
    expect(retried?.exitCode).toBe(1);
    expect(retried?.phase).toBe("after_script");
  });

  it("puts the retried command's failure in the excerpt along with the build's", () => {
    const { excerpt } = distillLog(raw, { budgetBytes: 2500 });
    expect(excerpt).toContain("HTML-Proofer found 22 failures!");
    expect(excerpt).toContain('The command "bundle exec s3_website push" failed 3 times.');
    expect(excerpt).toContain("[info] Summary: 3 operations failed.");
  });
});

describe("sanitizer reports", () => {
  const frames = (what: string, n: number): string[] =>
    Array.from({ length: n }, (_, i) => `    #${i} 0x4f${String(i).padStart(4, "0")} in ${what}_${i} /src/lib/buffer.c:${40 + i}:3`);
  // AddressSanitizer prints its report in paragraphs: the access, then where the memory was freed and allocated.
  const asan = [
    "==4321==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010 at pc 0x4f1234 bp 0x7ffd sp 0x7ffc",
    "READ of size 4 at 0x602000000010 thread T0",
    ...frames("read", 70),
    "",
    "0x602000000010 is located 0 bytes inside of 4-byte region [0x602000000010,0x602000000014)",
    "freed by thread T0 here:",
    ...frames("free", 8),
    "",
    "previously allocated by thread T0 here:",
    ...frames("alloc", 8),
    "",
    "SUMMARY: AddressSanitizer: heap-use-after-free /src/lib/buffer.c:40:3 in read_0",
    "==4321==ABORTING",
  ];

  it("are one block from the error to the SUMMARY line, across paragraphs and past the usual length", () => {
    const lines = ["make check", ...asan, "", "FAIL: test_buffer", "make: *** [check] Error 1"];
    const block = blocksOf(lines).find((b) => b.signature === "sanitizer");
    expect(block?.start).toBeLessThanOrEqual(1);
    expect(block?.end).toBe(1 + asan.length);
  });

  it("without a SUMMARY line before the next report, end where a report's paragraph ends", () => {
    const ubsan = [
      "src/lib/buffer.c:41:7: runtime error: signed integer overflow: 2147483647 + 1 cannot be represented in type 'int'",
      "",
      "running test_resize",
      "src/lib/buffer.c:88:3: runtime error: index 9 out of bounds for type 'int[8]'",
      "",
      "unrelated output",
      ...Array.from({ length: 30 }, (_, i) => `line ${i}`),
      "SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior src/lib/buffer.c:88:3",
    ];
    const blocks = blocksOf(ubsan).filter((b) => b.signature === "sanitizer");
    const first = blocks.find((b) => b.anchor === 0);
    // The first report does not swallow the second, or the output between them.
    expect(first?.end).toBeLessThanOrEqual(2);
    expect(blocks.some((b) => b.anchor === 3)).toBe(true);
  });
});

describe("pytest test sections", () => {
  it("longer than a screen are one block, up to the next section", () => {
    const section = (name: string): string[] => [
      `____________________________ ${name} ____________________________`,
      "",
      ...Array.from({ length: 120 }, (_, i) => `    line_${i} = compute(${i})  # source shown by pytest`),
      `E       AssertionError: ${name} failed`,
      "",
      `tests/test_app.py:${name.length}: AssertionError`,
    ];
    const lines = ["=================================== FAILURES ===================================", ...section("test_one"), ...section("test_two")];
    const blocks = blocksOf(lines).filter((b) => b.signature === "pytest.test");
    expect(blocks).toHaveLength(2);
    expect(blocks[0]?.end).toBe(blocks[1]?.start);
    expect(lines[(blocks[0]?.end ?? 0) - 1]).toBe("tests/test_app.py:8: AssertionError");
  });
});

describe("repeats printed after a test runner's progress marks", () => {
  it("are repeats whatever marks precede them, and a word that starts with a mark letter is kept", () => {
    const fatal = "PHP Fatal error:  Call to undefined method TestCase::expectException() in /app/vendor/Legacy/Forward.php on line 17";
    const gap = ["", ...Array.from({ length: 12 }, (_, i) => `Testing src/Component/Part${i}`), ""];
    const lines = [`......${fatal}`, ...gap, `..SS.S.....${fatal}`, ...gap, "..Segmentation fault (core dumped)"];
    const blocks = blocksOf(lines);
    const keys = blocks.filter((b) => b.signature === "php.fatal").map((b) => b.key);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
    expect(keys[0]?.startsWith("PHP Fatal error:")).toBe(true);
    expect(blocks.find((b) => b.anchor === lines.length - 1)?.key).toBe("Segmentation fault (core dumped)");
  });
});
