/**
 * The distiller's rules by name: switching one off changes what it does and
 * nothing else, and the default is every rule on.
 */
import { describe, expect, it } from "vitest";
import { distillLog, distillLogTraced } from "../../src/evidence/distill-log.ts";
import { DEFAULT_RULES, RULE_DESCRIPTIONS, RULE_NAMES, resolveRules } from "../../src/evidence/distill-rules.ts";
import { githubLog, noise } from "./helpers.ts";

const jestFailure = [
  " FAIL  test/cart.test.js",
  "  ● Cart › totals",
  "",
  "    expect(received).toBe(expected)",
  "    Expected: 3",
  "    Received: 4",
  "",
  "      at Object.toBe (test/cart.test.js:12:20)",
];

describe("rule switches", () => {
  const raw = githubLog([{ title: "npm test", lines: [...noise(3000), ...jestFailure, ...noise(400, 7)], exitCode: 1 }]);

  it("default to every rule on: no rules, empty rules and all rules on give one excerpt", () => {
    const plain = distillLog(raw, { budgetBytes: 2000 }).excerpt;
    expect(distillLog(raw, { budgetBytes: 2000, rules: {} }).excerpt).toBe(plain);
    expect(distillLog(raw, { budgetBytes: 2000, rules: { ...DEFAULT_RULES } }).excerpt).toBe(plain);
    expect(Object.values(DEFAULT_RULES).every(Boolean)).toBe(true);
  });

  it("apply overrides and ignore names they do not know", () => {
    const rules = resolveRules({ reportNoise: false, ...({ noSuchRule: false } as object) });
    expect(rules.reportNoise).toBe(false);
    expect(rules.leadingBlocks).toBe(true);
    expect(Object.keys(rules).sort()).toEqual([...RULE_NAMES].sort());
    expect(resolveRules(undefined)).toBe(DEFAULT_RULES);
  });

  it("are each described", () => {
    for (const name of RULE_NAMES) expect(RULE_DESCRIPTIONS[name].length).toBeGreaterThan(20);
  });

  it("leave the traced result equal to the plain one", () => {
    const traced = distillLogTraced(raw, { budgetBytes: 2000 });
    expect(traced.result).toEqual(distillLog(raw, { budgetBytes: 2000 }));
    expect(traced.focus[0]?.title).toBe("Run npm test");
    expect(traced.blocks.some((b) => b.signature === "jest.test")).toBe(true);
  });
});

describe("toolchain detection", () => {
  it("names the toolchain of the strongest block in the failed step", () => {
    const jest = githubLog([{ title: "npm test", lines: [...noise(200), ...jestFailure], exitCode: 1 }]);
    expect(distillLog(jest).stats.toolchain).toBe("jest");
    const cargo = githubLog([
      { title: "npm run lint", lines: ["  3:1  error  'x' is not defined  no-undef"] },
      { title: "cargo build", lines: ["error[E0308]: mismatched types", " --> src/lib.rs:3:5"], exitCode: 101 },
    ]);
    expect(distillLog(cargo).stats.toolchain).toBe("cargo");
    expect(distillLog("all good\nnothing to see").stats.toolchain).toBeUndefined();
  });
});

describe("report noise (reportNoise)", () => {
  // A failure report that nearly fills the budget, then passing tests, then the exit.
  const report = [
    "  ● Sidebar › collapses",
    "",
    ...Array.from({ length: 23 }, (_, i) => `    at Sidebar.render (src/sidebar/panel-${i}.js:${10 + i}:7) middle-frame-${i}`),
  ];
  const passing = Array.from({ length: 200 }, (_, i) => `  ✓ renders widget ${i} in the sidebar without a layout shift (${i % 9} ms)`);
  const raw = githubLog([{ title: "npm test", lines: [...noise(500), ...report, ...passing], exitCode: 1 }]);

  const framesShown = (excerpt: string): number => excerpt.split("\n").filter((l) => /middle-frame-\d+$/.test(l)).length;

  it("ranks runs of passing tests below the failure they follow", () => {
    const on = distillLog(raw, { budgetBytes: 2000 }).excerpt;
    expect(on).toContain("● Sidebar › collapses");
    expect(framesShown(on)).toBe(23);
    const off = distillLog(raw, { budgetBytes: 2000, rules: { reportNoise: false } }).excerpt;
    expect(off).toContain("renders widget 199");
    // The passing tests take room first: the report is shortened to its head and tail.
    expect(framesShown(off)).toBeLessThan(23);
  });
});

describe("step outcome (stepOutcome)", () => {
  const travis = (after: string): string =>
    [
      "travis_time:start:01",
      "$ make test",
      ...noise(50),
      'The command "make test" exited with 0.',
      `travis_fold:start:${after}`,
      "travis_time:start:02",
      "$ ./scripts/integration.sh",
      ...noise(50, 3),
      "integration: Error: the database container never became ready",
      ...noise(300, 9),
    ].join("\n");

  it("focuses the last step when it reports no exit: the job died in it", () => {
    const { excerpt, stats } = distillLog(travis("script"), { budgetBytes: 1500 });
    expect(stats.focusStep).toBe("./scripts/integration.sh");
    expect(excerpt).toContain("the database container never became ready");
    expect(distillLog(travis("script"), { budgetBytes: 1500, rules: { stepOutcome: false } }).stats.focusStep).toBeUndefined();
  });

  it("never where an after_* phase runs", () => {
    expect(distillLog(travis("after_success"), { budgetBytes: 1500 }).stats.focusStep).toBeUndefined();
  });
});

describe("oversized reports (partialBlocks, leadingBlocks)", () => {
  const report = [
    "==1234==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010",
    ...Array.from({ length: 300 }, (_, i) => `    #${i} 0x4f${String(i).padStart(4, "0")} in frame_${i} /src/nvim/eval/typval.c:${100 + i}:5`),
    "SUMMARY: AddressSanitizer: heap-use-after-free /src/nvim/eval/typval.c:100:5 in frame_0",
  ];
  const raw = githubLog([{ title: "make test", lines: [...noise(200), ...report, ...noise(150, 3)], exitCode: 1 }]);

  it("show the head and tail of the leading report too big for the budget, rather than none of it", () => {
    const on = distillLog(raw, { budgetBytes: 3000 }).excerpt;
    expect(on).toContain("==1234==ERROR: AddressSanitizer: heap-use-after-free");
    expect(on).toContain("#1 0x4f0001 in frame_1");
    const off = distillLog(raw, { budgetBytes: 3000, rules: { partialBlocks: false } }).excerpt;
    expect(off).not.toContain("==1234==ERROR: AddressSanitizer");
  });

  it("keep the end of the leading report, and only the start of one that does not lead", () => {
    // The block is the whole report: the sanitizer's SUMMARY line closes it.
    const leading = distillLog(raw, { budgetBytes: 3000 }).excerpt;
    expect(leading).toContain("in frame_299 /src");
    expect(leading).toContain("SUMMARY: AddressSanitizer: heap-use-after-free");
    const notLeading = distillLog(raw, { budgetBytes: 3000, rules: { leadingBlocks: false } }).excerpt;
    expect(notLeading).toContain("==1234==ERROR: AddressSanitizer: heap-use-after-free");
    expect(notLeading).not.toContain("in frame_299 /src");
  });
});

describe("block extent (blockExtent)", () => {
  const chained = [
    "Traceback (most recent call last):",
    '  File "/app/client.py", line 107, in _request',
    "    return self._get_response()",
    "http.client.RemoteDisconnected: Remote end closed connection without response",
    "",
    "During handling of the above exception, another exception occurred:",
    "",
    "Traceback (most recent call last):",
    '  File "/app/client.py", line 120, in connect',
    "    sock.connect(sa)",
    "ConnectionRefusedError: [Errno 111] Connection refused",
  ];
  const raw = githubLog([{ title: "python -m pytest", lines: [...noise(100), ...chained, ...noise(100, 5)], exitCode: 1 }]);
  const blockOf = (rules: { blockExtent?: boolean }): { start: number; end: number } | undefined => {
    const { blocks } = distillLogTraced(raw, { rules });
    const lines = raw.split("\n");
    const first = lines.findIndex((l) => l.endsWith("Traceback (most recent call last):"));
    return blocks.find((b) => b.start <= first && b.end > first);
  };

  it("grows a chained traceback into one block, to the exception it ends with", () => {
    const lines = raw.split("\n");
    const last = lines.findIndex((l) => l.endsWith("ConnectionRefusedError: [Errno 111] Connection refused"));
    expect(blockOf({})?.end).toBeGreaterThan(last);
    expect(blockOf({ blockExtent: false })?.end).toBeLessThanOrEqual(last);
  });
});

describe("repeats (repeats)", () => {
  it("rank after every distinct error, so one error printed many times does not crowd out another", () => {
    const refused = (i: number): string[] => [
      `Error: connect ECONNREFUSED 127.0.0.1:${5400 + i}`,
      `    at TCPConnectWrap.afterConnect (node:net:${1500 + i}:16)`,
      ...noise(30, 100 * i),
    ];
    const lines: string[] = [...noise(300)];
    for (let i = 0; i < 25; i++) lines.push(...refused(i));
    lines.push("Error: session store rejected the write", "    at Store.save (src/session.js:41:12)", ...noise(30, 11));
    for (let i = 25; i < 50; i++) lines.push(...refused(i));
    const raw = githubLog([{ title: "npm test", lines, exitCode: 1 }]);
    const on = distillLog(raw, { budgetBytes: 2500 }).excerpt;
    expect(on).toContain("Error: session store rejected the write");
    const off = distillLog(raw, { budgetBytes: 2500, rules: { repeats: false } }).excerpt;
    expect(off).not.toContain("Error: session store rejected the write");
  });
});

describe("weak triggers (weakTriggers)", () => {
  it("find a failure worded only vaguely near the start of the failed step", () => {
    const raw = githubLog([
      { title: "./deploy.sh", lines: ["./deploy.sh: line 3: helm: command not found", ...noise(3000, 5)], exitCode: 127 },
    ]);
    expect(distillLog(raw, { budgetBytes: 1500 }).excerpt).toContain("helm: command not found");
    expect(distillLog(raw, { budgetBytes: 1500, rules: { weakTriggers: false } }).excerpt).not.toContain("helm: command not found");
  });
});

describe("the log's end (logTail)", () => {
  it("is kept after the failed step, for what the job printed once the step gave up", () => {
    const raw = [
      "travis_time:start:01",
      "$ npm test",
      ...noise(20),
      ...jestFailure,
      'The command "npm test" exited with 1.',
      "travis_fold:start:after_failure",
      "travis_time:start:02",
      "$ cat logs/server.log",
      ...noise(300, 17),
      "server: shutting down after 3 unanswered health checks",
      "travis_fold:end:after_failure",
    ].join("\n");
    expect(distillLog(raw, { budgetBytes: 3000 }).excerpt).toContain("shutting down after 3 unanswered health checks");
    expect(distillLog(raw, { budgetBytes: 3000, rules: { logTail: false } }).excerpt).not.toContain("shutting down after 3");
  });
});
