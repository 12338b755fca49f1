import { describe, expect, it } from "vitest";
import { cleanLine, createLogView } from "../../src/evidence/clean-log.ts";
import { distillLog } from "../../src/evidence/distill-log.ts";
import { shortenLine, utf8Head, utf8Length, utf8Tail } from "../../src/evidence/utf8.ts";
import { failingJob, fixtureLines, githubLog, noise, utf8Bytes } from "./helpers.ts";

/** A deterministic pseudo-random generator, so that "random" inputs are the same on every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}

describe("the budget", () => {
  const rnd = random(42);
  const binary = Buffer.from(Array.from({ length: 300_000 }, () => Math.floor(rnd() * 256))).toString("utf8");
  const inputs: [string, string][] = [
    ["an empty log", ""],
    ["a single newline", "\n"],
    ["one 1 MB line", "x".repeat(1024 * 1024)],
    ["one 1 MB line that is an error", `error: ${"y".repeat(1024 * 1024)}`],
    ["binary garbage", binary],
    ["a log without any error", noise(20_000).join("\n")],
    ["CRLF line endings", failingJob(fixtureLines("jest.log")).replace(/\n/g, "\r\n")],
    ["only errors", Array.from({ length: 50_000 }, (_, i) => `src/a${i}.c:${i}:1: error: boom ${i}`).join("\n")],
    ["multi-byte text", Array.from({ length: 5000 }, (_, i) => `✖ 失败的测试 ${i} 🚨 — ошибка`).join("\n")],
    ["carriage-return progress bars", Array.from({ length: 3000 }, (_, i) => `${"#".repeat(i % 80)}\r`).join("") + "\nError: done"],
    ["a real failing job", failingJob(fixtureLines("pytest.log"))],
  ];
  const budgets = [1, 10, 64, 200, 1000, 8000, 20_000];

  it.each(inputs)("is never exceeded by %s", (_name, raw) => {
    for (const budgetBytes of budgets) {
      const { excerpt, stats } = distillLog(raw, { budgetBytes });
      expect(utf8Bytes(excerpt)).toBeLessThanOrEqual(budgetBytes);
      expect(stats.excerptBytes).toBe(utf8Bytes(excerpt));
    }
  });

  it("defaults to 8000 bytes", () => {
    const { excerpt } = distillLog(noise(50_000).join("\n"));
    expect(utf8Bytes(excerpt)).toBeLessThanOrEqual(8000);
    expect(utf8Bytes(excerpt)).toBeGreaterThan(4000);
  });

  it("returns a small log whole, without markers", () => {
    const raw = ["$ make", "cc -c main.c", "main.c:3:1: error: expected ';' before '}' token", "make: *** [main.o] Error 1"].join("\n");
    expect(distillLog(raw).excerpt).toBe(raw);
  });

  it("shortens a single huge line to fit, keeping its head and tail", () => {
    const raw = `FATAL: ${"a".repeat(100_000)} the end`;
    const { excerpt } = distillLog(raw, { budgetBytes: 2000 });
    expect(excerpt.startsWith("FATAL: aaa")).toBe(true);
    expect(excerpt.endsWith("the end")).toBe(true);
    expect(excerpt).toContain("[...]");
  });

  it("does not cut an error block that fits", () => {
    const block = fixtureLines("python-traceback.log");
    const raw = githubLog([{ title: "python migrate.py", lines: [...noise(3000), ...block, ...noise(3000, 9)], exitCode: 1 }]);
    const { excerpt } = distillLog(raw, { budgetBytes: 3000 });
    const at = excerpt.indexOf("Traceback (most recent call last):");
    expect(at).toBeGreaterThanOrEqual(0);
    // The block's lines appear together, in order, uncut.
    expect(excerpt.slice(at)).toContain(block.slice(2).join("\n"));
  });
});

describe("cleaning", () => {
  it("strips GitHub Actions timestamps, the BOM and ANSI colours", () => {
    const raw = githubLog([{ title: "npm test", lines: ["\x1b[31m\x1b[1mError:\x1b[22m\x1b[39m cannot connect to db"], exitCode: 1 }]);
    const { excerpt } = distillLog(raw);
    expect(excerpt).toContain("Error: cannot connect to db");
    expect(excerpt).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
    expect(excerpt).not.toContain("\x1b");
    expect(excerpt).not.toContain("\ufeff");
  });

  it("keeps timestamps that are part of a tool's own output", () => {
    const raw = ["$ ./run-tests", "2019-08-03T02:07:32.581000Z TestFramework (ERROR): Unexpected exception caught"].join("\n");
    expect(distillLog(raw).excerpt).toContain("2019-08-03T02:07:32.581000Z TestFramework (ERROR)");
  });

  it("keeps what a terminal shows after carriage returns", () => {
    expect(cleanLine("Downloading 10%\rDownloading 100%")).toBe("Downloading 100%");
    expect(cleanLine("done\r")).toBe("done");
    expect(cleanLine("\x1b[?1h\x1b=\x1b>keypad mode")).toBe("keypad mode");
    expect(cleanLine("bell\x07 and nul\x00")).toBe("bell and nul");
  });

  it("indexes lines without losing the last one", () => {
    expect(createLogView("a\nb").count).toBe(2);
    expect(createLogView("a\nb\n").count).toBe(2);
    expect(createLogView("a\n\nb").text(1)).toBe("");
    const view = createLogView("x\ny\nz");
    expect(view.lineAt(view.start(2))).toBe(2);
  });

  it("drops CI bookkeeping lines", () => {
    const raw = ["travis_fold:start:install", "travis_time:start:0a1b", "$ npm ci", "travis_time:end:0a1b:start=1,finish=2", "travis_fold:end:install"].join("\n");
    expect(distillLog(raw).excerpt).toBe("$ npm ci");
  });
});

describe("focus on the failed step", () => {
  const lint = { title: "npm run lint", lines: ["/src/a.ts", "  3:1  error  'x' is not defined  no-undef", ...noise(2000)] };
  const test = { title: "npm test", lines: [...noise(2000, 3), "  ● Cart › totals", "", "    Expected: 3", "    Received: 4"], exitCode: 1 };

  it("finds the step GitHub marked with the exit code", () => {
    const { excerpt, stats } = distillLog(githubLog([lint, test]), { budgetBytes: 1500 });
    expect(stats.focusStep).toBe("Run npm test");
    expect(stats.failedSteps).toBe(1);
    expect(excerpt).toContain("● Cart › totals");
    expect(excerpt).toContain("##[group]Run npm test");
    expect(excerpt).not.toContain("no-undef");
  });

  it("follows the failed step it is given", () => {
    const { excerpt, stats } = distillLog(githubLog([lint, test]), { budgetBytes: 1500, failedStep: "Run npm run lint" });
    expect(stats.focusStep).toBe("Run npm run lint");
    expect(excerpt).toContain("'x' is not defined");
  });

  it("falls back to the exit when the given step name is not in the log", () => {
    const { stats } = distillLog(githubLog([lint, test]), { failedStep: "Unit tests" });
    expect(stats.focusStep).toBe("Run npm test");
  });

  it("falls back to the step GitHub annotated with an error when no step reports an exit code", () => {
    const raw = githubLog([
      { title: "npm ci", lines: noise(500) },
      { title: "actions/setup-node@v4", lines: ["Attempting to download 99.x...", "##[error]Unable to find Node version '99' for platform linux."] },
    ]);
    const { excerpt, stats } = distillLog(raw, { budgetBytes: 800 });
    expect(stats.focusStep).toBe("Run actions/setup-node@v4");
    expect(excerpt).toContain("##[error]Unable to find Node version '99' for platform linux.");
  });

  it("understands Travis CI logs too", () => {
    const raw = [
      "travis_time:start:01",
      "$ npm run lint",
      ...noise(1000),
      "README.md: heading '##[Usage]' has no anchor",
      'The command "npm run lint" exited with 0.',
      "travis_time:start:02",
      "$ npm test",
      "not ok 7 - totals are rounded",
      "  ---",
      "  operator: equal",
      "  expected: 3",
      "  actual:   4",
      "  ...",
      'The command "npm test" exited with 1.',
      "Done. Your build exited with 1.",
    ].join("\n");
    const { excerpt, stats } = distillLog(raw, { budgetBytes: 1000 });
    expect(stats.focusStep).toBe("npm test");
    expect(excerpt).toContain("not ok 7 - totals are rounded");
    expect(excerpt).toContain("actual:   4");
  });

  it("prefers the block nearest the failing exit and the first one when the budget is tight", () => {
    const errors = Array.from({ length: 400 }, (_, i) => [
      `cc -Wall -c src/m${i}.c -o build/m${i}.o`,
      `src/m${i}.c:1:1: error: problem number ${i}`,
      "",
      ...Array.from({ length: 20 }, (_, k) => `cc -Wall -c src/ok${i}_${k}.c -o build/ok${i}_${k}.o`),
    ]).flat();
    const { excerpt } = distillLog(githubLog([{ title: "make", lines: errors, exitCode: 2 }]), { budgetBytes: 1200 });
    expect(excerpt).toContain("problem number 0");
    expect(excerpt).toContain("problem number 399");
  });
});

describe("folding repeats", () => {
  it("folds a line repeated back to back", () => {
    const raw = githubLog([{ title: "npm test", lines: Array.from({ length: 500 }, () => "WARN: retrying connection to db:5432"), exitCode: 1 }]);
    const { excerpt } = distillLog(raw);
    expect(excerpt.match(/WARN: retrying connection/g)).toHaveLength(1);
    expect(excerpt).toMatch(/previous line repeated 499 more times/);
  });

  it("folds the lines every item of a list repeats", () => {
    const files = Array.from({ length: 30 }, (_, i) => [`  lib/file${i}.js:0:0: Parsing error`, "    token.value = `/${value.pattern}/`;", "                  ^", "Unexpected token ILLEGAL"]).flat();
    const raw = githubLog([{ title: "npm run lint", lines: files, exitCode: 1 }]);
    const { excerpt } = distillLog(raw);
    for (let i = 0; i < 30; i++) expect(excerpt).toContain(`lib/file${i}.js:0:0`);
    expect(excerpt.match(/Unexpected token ILLEGAL/g)).toHaveLength(1);
    expect(excerpt).toContain("lines repeated from above");
  });
});

describe("references", () => {
  const lines = [
    "FAIL src/cart.test.ts",
    "  ● totals",
    "      at Object.<anonymous> (/home/runner/work/shop/shop/src/cart.test.ts:23:26)",
    "      at Module._compile (node:internal/modules/cjs/loader:1376:14)",
    "      at helper (/home/runner/work/shop/shop/node_modules/lodash/index.js:10:3)",
    '  File "/home/runner/work/shop/shop/tools/gen.py", line 7, in <module>',
    "src/lib/money.ts(4,10): error TS2304: Cannot find name 'Decimal'.",
    "see https://example.com:443/docs.html:12",
  ];
  const raw = githubLog([{ title: "npm test", lines, exitCode: 1 }]);

  it("are relative to the repository, deduplicated, without dependencies or URLs", () => {
    const { references } = distillLog(raw);
    expect(references).toEqual([
      { path: "src/cart.test.ts", line: 23 },
      { path: "tools/gen.py", line: 7 },
      { path: "src/lib/money.ts", line: 4 },
    ]);
  });

  it("keep only files of the repository when it lists them", () => {
    const { references } = distillLog(raw, { repoFiles: new Set(["src/cart.test.ts", "README.md"]) });
    expect(references).toEqual([{ path: "src/cart.test.ts", line: 23 }]);
  });
});

describe("utf8 helpers", () => {
  it("never split a character", () => {
    const text = "a€😀b";
    expect(utf8Length(text)).toBe(1 + 3 + 4 + 1);
    expect(utf8Head(text, 5)).toBe("a€");
    expect(utf8Head(text, 8)).toBe("a€😀");
    expect(utf8Tail(text, 4)).toBe("b");
    expect(utf8Tail(text, 5)).toBe("😀b");
    expect(utf8Length(shortenLine("é".repeat(1000), 100))).toBeLessThanOrEqual(100);
  });
});
