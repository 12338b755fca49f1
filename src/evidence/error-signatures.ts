/**
 * The table of failure signatures: what a line that explains a failure looks
 * like, per toolchain, and how much it explains (weight 1–10).
 *
 * Lines are first found by cheap scans of the raw log for trigger words
 * (`STRONG_TRIGGER`, `MARKER_TRIGGER`, `TRIGGER_SYMBOLS`, `WEAK_TRIGGER`), then classified
 * against this table. Every signature carries an
 * `example` line; the tests check that each example is triggered, matches its
 * own pattern and is classified as that signature or a stronger one, so the
 * table cannot silently drift from the trigger scan.
 *
 * Patterns are matched against cleaned lines (no ANSI, no timestamps) and must
 * stay linear: anchored or literal-led, no nested quantifiers.
 */
import { DEFAULT_RULES, type RuleSet } from "./distill-rules.ts";

export interface Signature {
  readonly id: string;
  readonly toolchain: string;
  readonly pattern: RegExp;
  /** How strongly such a line explains a failure: 9–10 diagnostic, 5–8 failure report, 1–4 summary/exit. */
  readonly weight: number;
  /** Lines that may follow the anchor as part of its block (stack traces need more). */
  readonly after?: number;
  /**
   * The anchor opens a section (a test failure report): blank lines do not end
   * its block; the next section, a banner line or a passing test does.
   */
  readonly section?: boolean;
  /**
   * The line that closes the report (a sanitizer's `SUMMARY:`): when one
   * follows before the next report of this signature, the block runs to it
   * (and to closing lines right after it), across blank lines and past `after`.
   */
  readonly closing?: RegExp;
  readonly example: string;
}

// Word-bounded, not inside identifiers or file names (error.c, onErrorResume, -Werror).
const B = String.raw`(?<![\w./\\-])`;
const E = String.raw`(?![\w/\\-]|\.\w)`;

export const SIGNATURES: readonly Signature[] = [
  // GitHub Actions
  { id: "gha.error", toolchain: "github-actions", pattern: /^##\[error\](?!Process completed with exit code)/, weight: 9, example: "##[error]src/app.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'." },
  { id: "gha.exit", toolchain: "github-actions", pattern: /^##\[error\]Process completed with exit code [1-9]/, weight: 2, example: "##[error]Process completed with exit code 1." },
  // Node test runner, TAP (tape, node --test)
  { id: "tap.not-ok", toolchain: "node-test", pattern: /^\s*not ok \d+/, weight: 9, after: 40, section: true, example: "not ok 3 - adds numbers" },
  { id: "node-test.failing", toolchain: "node-test", pattern: /^\s*✖ failing tests:/, weight: 8, after: 300, section: true, example: "✖ failing tests:" },
  { id: "node-test.cross", toolchain: "node-test", pattern: /^\s*✖ \S.*\(\d+(?:\.\d+)?m?s\)$/, weight: 8, after: 30, example: "✖ adds numbers (1.2ms)" },
  { id: "tap.fail-count", toolchain: "node-test", pattern: /^# fail\s+[1-9]/, weight: 4, example: "# fail 1" },
  // Jest and Vitest
  { id: "jest.test", toolchain: "jest", pattern: /^\s*● (?!Console\b)\S/, weight: 9, after: 300, section: true, example: "  ● Calculator › adds numbers" },
  { id: "jest.fail-file", toolchain: "jest", pattern: /^\s*FAIL\s+\S+/, weight: 8, example: " FAIL  src/calc.test.js (5.2 s)" },
  { id: "jest.summary", toolchain: "jest", pattern: /^(?:Tests?|Test Suites|Test Files):\s+.*\b[1-9]\d* failed/, weight: 4, example: "Tests:       1 failed, 12 passed, 13 total" },
  { id: "vitest.banner", toolchain: "vitest", pattern: /⎯{3,} Failed (?:Tests?|Suites?) \d+ ⎯{3,}/, weight: 8, example: "⎯⎯⎯⎯⎯⎯⎯ Failed Tests 1 ⎯⎯⎯⎯⎯⎯⎯" },
  { id: "vitest.cross", toolchain: "vitest", pattern: /^\s*[×✗✘]\s+\S/, weight: 8, after: 20, example: "   × adds numbers 3ms" },
  { id: "vitest.file", toolchain: "vitest", pattern: /^\s*❯ \S+.*\b[1-9]\d* failed\b/, weight: 6, example: " ❯ src/calc.test.ts (3 tests | 1 failed) 5ms" },
  // Mocha, Jasmine, PHPUnit, Minitest numbered failures
  { id: "mocha.failing", toolchain: "mocha", pattern: /^\s*[1-9]\d* failing\b/, weight: 7, after: 300, section: true, example: "  2 failing" },
  { id: "phpunit.there-were", toolchain: "phpunit", pattern: /^There (?:was|were) [1-9]\d* (?:failures?|errors?)/, weight: 8, after: 300, section: true, example: "There were 2 failures:" },
  { id: "phpunit.failures", toolchain: "phpunit", pattern: /^(?:FAILURES|ERRORS)!$/, weight: 5, example: "FAILURES!" },
  { id: "minitest.heading", toolchain: "minitest", pattern: /^\s*(?:\d+\) )?(?:Failure|Error):\s*$/, weight: 9, after: 60, section: true, example: "Failure:" },
  { id: "rspec.failures", toolchain: "rspec", pattern: /^(?:Failures|Failed examples):\s*$/, weight: 7, after: 300, section: true, example: "Failures:" },
  // TypeScript
  { id: "tsc.error", toolchain: "tsc", pattern: /\berror TS\d+:/, weight: 10, after: 3, example: "src/app.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'." },
  // ESLint
  { id: "eslint.error", toolchain: "eslint", pattern: /^\s+\d+:\d+\s+error\s+\S/, weight: 9, after: 3, example: "  12:5  error  'foo' is assigned a value but never used  no-unused-vars" },
  { id: "eslint.problems", toolchain: "eslint", pattern: /^✖ \d+ problems? \([1-9]\d* errors?/, weight: 6, example: "✖ 3 problems (2 errors, 1 warning)" },
  // npm, yarn, pnpm
  { id: "npm.err", toolchain: "npm", pattern: /^npm (?:ERR!|error) /, weight: 4, after: 20, example: "npm ERR! Missing script: \"tets\"" },
  { id: "yarn.exit", toolchain: "yarn", pattern: /^error Command failed with exit code \d+/, weight: 3, example: "error Command failed with exit code 1." },
  { id: "yarn.error", toolchain: "yarn", pattern: /^error \S/, weight: 6, example: "error An unexpected error occurred: \"https://registry.yarnpkg.com/x: Not found\"." },
  { id: "pnpm.err", toolchain: "pnpm", pattern: /\bERR_PNPM_[A-Z_]+/, weight: 6, example: " ERR_PNPM_OUTDATED_LOCKFILE  Cannot install with \"frozen-lockfile\"" },
  { id: "npm.lifecycle", toolchain: "npm", pattern: /\bELIFECYCLE\b/, weight: 3, example: " ELIFECYCLE  Test failed. See above for more details." },
  { id: "node.module", toolchain: "node", pattern: /\b(?:Cannot find module|Module not found|ERR_MODULE_NOT_FOUND)\b/, weight: 9, example: "Error: Cannot find module 'left-pad'" },
  // pytest and Python
  { id: "pytest.section", toolchain: "pytest", pattern: /^={3,} (?:FAILURES|ERRORS) ={3,}$/, weight: 7, example: "=================================== FAILURES ===================================" },
  { id: "pytest.test", toolchain: "pytest", pattern: /^_{3,} .+ _{3,}$/, weight: 8, after: 300, section: true, example: "_________________________________ test_add __________________________________" },
  { id: "pytest.assert", toolchain: "pytest", pattern: /^E {2,}\S/, weight: 9, example: "E       assert 3 == 4" },
  { id: "pytest.failed", toolchain: "pytest", pattern: /^(?:FAILED|ERROR) \S+(?:::|\.py)/, weight: 8, example: "FAILED tests/test_calc.py::test_add - assert 3 == 4" },
  { id: "pytest.summary", toolchain: "pytest", pattern: /^={3,} .*\b[1-9]\d* (?:failed|errors?)\b.* ={3,}$/, weight: 4, example: "========================= 1 failed, 3 passed in 0.12s =========================" },
  { id: "python.traceback", toolchain: "python", pattern: /^\s*Traceback \(most recent call last\):/, weight: 9, after: 80, example: "Traceback (most recent call last):" },
  // Go
  { id: "go.fail-test", toolchain: "go", pattern: /^\s*--- FAIL: \S+/, weight: 10, after: 40, section: true, example: "--- FAIL: TestAdd (0.00s)" },
  { id: "go.fail-pkg", toolchain: "go", pattern: /^FAIL\s+\S+\s+(?:[\d.]+s|\[build failed\]|\[setup failed\])$/, weight: 4, example: "FAIL\texample.com/calc\t0.012s" },
  { id: "go.location", toolchain: "go", pattern: /^\s+\S+_test\.go:\d+: /, weight: 8, example: "    calc_test.go:12: Add(1, 2) = 4; want 3" },
  { id: "go.compile", toolchain: "go", pattern: /^\S+\.go:\d+:\d+: \S/, weight: 8, after: 3, example: "./calc.go:7:2: undefined: fmt.Printn" },
  { id: "go.panic", toolchain: "go", pattern: /^panic: /, weight: 9, after: 60, example: "panic: runtime error: index out of range [3] with length 3" },
  // Rust and Cargo
  { id: "rust.error", toolchain: "cargo", pattern: /^error(?:\[E\d{4}\])?: (?!could not compile|aborting due to)/, weight: 9, after: 30, example: "error[E0308]: mismatched types" },
  { id: "rust.panic", toolchain: "cargo", pattern: /\bpanicked at\b/, weight: 9, example: "thread 'tests::adds' panicked at src/lib.rs:10:9:" },
  { id: "cargo.stdout", toolchain: "cargo", pattern: /^---- \S+ stdout ----$/, weight: 9, after: 30, section: true, example: "---- tests::adds stdout ----" },
  { id: "cargo.test-failed", toolchain: "cargo", pattern: /^test \S+ \.\.\. FAILED$/, weight: 7, example: "test tests::adds ... FAILED" },
  { id: "cargo.result", toolchain: "cargo", pattern: /^test result: FAILED\./, weight: 4, example: "test result: FAILED. 1 passed; 1 failed; 0 ignored" },
  { id: "cargo.could-not", toolchain: "cargo", pattern: /^error: (?:could not compile|aborting due to)/, weight: 4, example: "error: could not compile `calc` (lib) due to 1 previous error" },
  // JVM: Maven, Gradle, JUnit, ScalaTest, sbt
  { id: "maven.error", toolchain: "maven", pattern: /^\[ERROR\] \S/, weight: 7, after: 20, example: "[ERROR] /src/main/java/App.java:[12,5] cannot find symbol" },
  { id: "junit.failure", toolchain: "junit", pattern: /<<< (?:FAILURE|ERROR)!/, weight: 9, after: 30, section: true, example: "testAdd(CalcTest)  Time elapsed: 0.01 sec  <<< FAILURE!" },
  { id: "junit.counts", toolchain: "junit", pattern: /Tests run: \d+, Failures: (?:[1-9]\d*, Errors: \d+|\d+, Errors: [1-9])/, weight: 4, example: "Tests run: 3, Failures: 1, Errors: 0, Skipped: 0" },
  { id: "maven.build-failure", toolchain: "maven", pattern: /\bBUILD FAILURE\b/, weight: 3, example: "[INFO] BUILD FAILURE" },
  { id: "gradle.wrong", toolchain: "gradle", pattern: /^\* What went wrong:/, weight: 9, after: 12, section: true, example: "* What went wrong:" },
  { id: "gradle.build-failed", toolchain: "gradle", pattern: /^FAILURE: Build failed/, weight: 5, example: "FAILURE: Build failed with an exception." },
  { id: "gradle.task-failed", toolchain: "gradle", pattern: /^> Task \S+ FAILED$/, weight: 5, example: "> Task :app:test FAILED" },
  { id: "gradle.test-failed", toolchain: "gradle", pattern: /^\S.* > .+ FAILED$/, weight: 9, after: 30, example: "CalcTest > adds() FAILED" },
  { id: "java.thread", toolchain: "jvm", pattern: /^Exception in thread "/, weight: 9, after: 40, example: "Exception in thread \"main\" java.lang.NullPointerException" },
  { id: "java.caused-by", toolchain: "jvm", pattern: /^\s*Caused by: /, weight: 7, after: 20, example: "Caused by: java.io.FileNotFoundException: config.yml" },
  { id: "scalatest.failed", toolchain: "scalatest", pattern: /\*\*\* FAILED \*\*\*/, weight: 9, after: 20, example: "[info] - adds numbers *** FAILED ***" },
  { id: "sbt.error", toolchain: "sbt", pattern: /^\[error\] \S/, weight: 7, after: 20, example: "[error] /src/main/scala/App.scala:3:7: not found: value foo" },
  { id: "xunit.fail", toolchain: "dotnet", pattern: /\[FAIL\]\s*$/, weight: 9, after: 30, section: true, example: "    Calc.Tests.AddTests.Adds [FAIL]" },
  { id: "dotnet.failed", toolchain: "dotnet", pattern: /^\s*Failed \S+ \[\d/, weight: 9, after: 30, section: true, example: "  Failed Calc.Tests.AddTests.Adds [12 ms]" },
  // C, C++, linkers, make, CMake, Haskell and other compilers
  { id: "cc.error", toolchain: "compiler", pattern: /^[^\s:]+(?::\d+){1,2}:\s*(?:fatal )?error\b/, weight: 10, after: 12, example: "src/calc.c:12:5: error: 'x' undeclared (first use in this function)" },
  { id: "msvc.error", toolchain: "compiler", pattern: /\(\d+(?:,\d+)?\): (?:fatal )?error [A-Z]+\d+:/, weight: 10, after: 3, example: "calc.cpp(12): error C2065: 'x': undeclared identifier" },
  { id: "ld.undefined", toolchain: "linker", pattern: /\bundefined reference to\b|\bUndefined symbols? for\b|\bundefined symbol:/, weight: 9, example: "calc.c:(.text+0xd): undefined reference to `add'" },
  { id: "ld.failed", toolchain: "linker", pattern: /\bld returned \d+ exit status|\blinker command failed\b/, weight: 6, example: "collect2: error: ld returned 1 exit status" },
  { id: "make.error", toolchain: "make", pattern: /^(?:g?make|mingw32-make|ninja)(?:\[\d+\])?: \*\*\* /, weight: 3, example: "make[1]: *** [Makefile:12: calc] Error 1" },
  { id: "cmake.error", toolchain: "cmake", pattern: /^CMake Error\b/, weight: 9, after: 20, example: "CMake Error at CMakeLists.txt:12 (find_package):" },
  // Ruby, PHP, R, Pester, shells, sanitizers
  { id: "ruby.error", toolchain: "ruby", pattern: /:\d+:in [`'].*': .+ \([A-Z]\w*(?:::\w+)*\)$/, weight: 9, after: 20, example: "lib/calc.rb:3:in `add': undefined method `+' for nil:NilClass (NoMethodError)" },
  { id: "composer.unresolvable", toolchain: "composer", pattern: /^Your requirements could not be resolved to an installable set of packages/, weight: 9, after: 40, example: "Your requirements could not be resolved to an installable set of packages." },
  { id: "php.fatal", toolchain: "php", pattern: /\bPHP (?:Fatal|Parse) error:|^(?:Fatal|Parse) error: /, weight: 9, example: "PHP Fatal error:  Uncaught Error: Call to undefined function foo() in /app/index.php:3" },
  { id: "pester.failed", toolchain: "pester", pattern: /(?:^|\s)\[-\] \S/, weight: 9, after: 40, section: true, example: "[-] adds numbers 12ms (10ms|2ms)" },
  { id: "sanitizer", toolchain: "sanitizer", pattern: /==\d+==ERROR: \w+Sanitizer|\bruntime error: |^SUMMARY: \w+Sanitizer/, weight: 10, after: 60, closing: /\bSUMMARY: \w+Sanitizer\b|^\W*==\d+==ABORTING/, example: "==1234==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010" },
  { id: "crash", toolchain: "generic", pattern: /\bSegmentation fault\b|\bcore dumped\b|\bSIG(?:SEGV|ABRT|BUS|ILL|FPE)\b|\bAborted\b/, weight: 8, example: "Segmentation fault (core dumped)" },
  { id: "shell.missing", toolchain: "shell", pattern: /\bcommand not found\b|No such file or directory|Permission denied|\bnot found in upstream\b/, weight: 7, example: "./build.sh: line 3: cmake: command not found" },
  { id: "git.fatal", toolchain: "git", pattern: /^(?:fatal|error): /, weight: 8, example: "fatal: couldn't find remote ref refs/heads/main" },
  // Generic: exceptions, error and failure words, exits
  { id: "exception", toolchain: "generic", pattern: /^\s*(?:[\w$]+\.)*[A-Z]\w*(?:Error|Exception|Failure)\b(?::|$| \()/, weight: 8, after: 30, example: "AssertionError: expected 3 to equal 4" },
  { id: "assertion", toolchain: "generic", pattern: /\b[Aa]ssert(?:ion)?\w* failed\b|\b[Ee]xpected\b.*\b(?:but (?:got|was|received)|got|received|actual)\b/, weight: 6, example: "Expected: 3 but was: 4" },
  { id: "error.prefixed", toolchain: "generic", pattern: new RegExp(`${B}(?:ERROR|[Ee]rror)${E}\\s*[:!\\]]`), weight: 6, after: 15, example: "Error: connect ECONNREFUSED 127.0.0.1:5432" },
  { id: "fatal", toolchain: "generic", pattern: new RegExp(`${B}(?:FATAL|[Ff]atal)${E}`), weight: 7, example: "FATAL: database \"app\" does not exist" },
  { id: "failed", toolchain: "generic", pattern: new RegExp(`${B}(?:FAIL(?:ED|URES?|S)?|[Ff]ail(?:ed|ures?|s|ing)?)${E}`), weight: 5, example: "Failed 1/13 subtests" },
  { id: "error.word", toolchain: "generic", pattern: new RegExp(`${B}(?:ERRORS?|[Ee]rrors?|[Ee]rrored)${E}`), weight: 4, example: "There was an error while installing the toolchain" },
  { id: "cannot", toolchain: "generic", pattern: /\b(?:[Cc]annot|[Cc]ould ?n[o']t|[Uu]nable to|[Ff]ailed to)\b|\bnot (?:found|defined|allowed|supported|installed)\b|\bdoes not exist\b|\b[Ii]nvalid\b|\b[Uu]nexpected\b/, weight: 4, example: "Could not resolve host: github.com" },
  { id: "panic.word", toolchain: "generic", pattern: /\b(?:[Pp]anic|PANIC|[Aa]bort(?:ed|ing)?|ABORT(?:ED)?|[Tt]raceback)\b/, weight: 5, example: "Aborting: 2 tests were not run" },
  { id: "timeout", toolchain: "generic", pattern: /\b(?:[Tt]imed out|[Tt]imeout|TIMEOUT)\b/, weight: 4, example: "Test timed out after 5000 ms" },
  { id: "exit.code", toolchain: "generic", pattern: /\bexit(?:ed with)?(?: code| status)?:? [1-9]\d*\b|\breturned a non-zero code\b|\bnon-zero exit\b/, weight: 2, example: "Error: Process completed with exit code 2." },
];

/**
 * Trigger scans find candidate lines in the raw log before any line is cleaned.
 * V8 scans an alternation of literals at 400–1300 MB/s while the set of first
 * characters stays small, and falls off a cliff (~100 MB/s) past that; hence
 * several regexes rather than one, and plain `indexOf` for symbols.
 * `STRONG_TRIGGER` runs over the whole focus region; `WEAK_TRIGGER` (vaguer
 * words, frequent in healthy output) only over windows near its start and its
 * end. Every signature's example contains a trigger (see the tests).
 */
export const STRONG_TRIGGER = /[Ee]rror|ERROR|[Ff]ail|FAIL|[Ff]atal|FATAL|xception|[Tt]raceback|[Pp]anic|PANIC|[Aa]bort|ABORT/g;
/** Words whose first character is common, and whole phrases of tools (Composer): a separate regex, faster than widening `STRONG_TRIGGER`'s first characters. */
export const MARKER_TRIGGER = /not ok|\[-\]|___ |Your requirements could/g;
/** Symbols, found with `indexOf` (which a log without them rejects at once). */
export const TRIGGER_SYMBOLS: readonly string[] = ["●", "✖", "×", "✗", "✘", "⎯"];
export const WEAK_TRIGGER =
  /[Uu]ndefined|[Cc]annot|[Cc]ould ?n[o']t|[Uu]nable to|not found|No such file|denied|[Tt]imed out|Segmentation|core dumped|ERR!|E {3}|[Ee]xpected|[Aa]ssert|What went wrong|Caused by|stdout ----|\.go:\d/g;

/** True when `line` contains a trigger (used by tests to keep the table and the scan in sync). */
export function hasTrigger(line: string): boolean {
  for (const re of [STRONG_TRIGGER, MARKER_TRIGGER, WEAK_TRIGGER]) {
    re.lastIndex = 0;
    if (re.test(line)) return true;
  }
  return TRIGGER_SYMBOLS.some((s) => line.includes(s));
}

/** Lines that mention failure words but report success or zero failures. */
const NOT_A_FAILURE =
  /\b0 (?:failed|failures?|errors?|failing)\b|\b(?:failures?|errors?|failed|fail)\s*[:=]?\s*0\b(?![.,]\d)|\bno (?:errors?|failures?)\b|\bwithout errors\b/i;

// A report of a passing test or check, by its start (✓ name, PASS file, ok 3)
// or by its end (name ... PASSED [ 40%], name: 3 ms OK). The end is tested on
// the last characters only: a `$`-anchored regex would scan the whole line.
const PASSING_HEAD = /^\W{0,8}(?:✓|✔|√|PASS(?:ED)?\b|ok \d|\[\+\]|\[info\] - (?!.*\*\*\* FAILED)|\[OK\]|\[ +OK +\])/;
const PASSING_END = /\s(?:PASS(?:ED)?|OK|ok)(?:\s+\[\s*\d+%\])?\s*$/;

/** True for a line that reports a passing test: never part of an error block, the least useful tail line. */
export function isPassingLine(line: string): boolean {
  return (
    PASSING_HEAD.test(line) ||
    PASSING_END.test(line.length > 32 ? line.slice(-32) : line) ||
    ((line.includes("✓") || line.includes("✔")) && !line.includes("✗") && !line.includes("✖"))
  );
}

// Coverage reports, printed after the tests and before the exit: istanbul/nyc
// and PHPUnit text tables (`file.js | 100 | 92.5 | …`, `----|----|`) and
// coverage.py's (`pkg/mod.py   120   10   92%`).
const COVERAGE_TABLE = /^[^|]*\|(?:\s*[\d.]+\s*\|){2}|^\s*-{3,}\|-{3,}\||^\s*File\s+\|\s*% Stmts|^\S+\s+\d+\s+\d+(?:\s+\d+\s+\d+)?\s+\d+%(?:\s|$)/;

/**
 * A line of a report that says nothing about the failure although it sits
 * between the failure and the exit: a row of a coverage table. Like passing
 * tests, runs of them rank low in the tail.
 */
export function isCoverageLine(line: string): boolean {
  return COVERAGE_TABLE.test(line);
}

// pytest's warnings section (`=== warnings summary ===` … `-- Docs: …`), printed
// between the failure reports and the final summary line.
const WARNINGS_BANNER = /^={3,} warnings summary ={3,}$/;
const SECTION_END = /^={3,} .* ={3,}$|^-- Docs: /;

/**
 * Lines of warnings sections among `lines` (in log order): the section's
 * banner up to the line that closes it (the next banner excluded).
 */
export function warningSectionLines(lines: readonly number[], text: (line: number) => string): number[] {
  const out: number[] = [];
  let inside = false;
  for (const l of lines) {
    const t = text(l);
    if (WARNINGS_BANNER.test(t)) inside = true;
    else if (inside && SECTION_END.test(t)) {
      inside = false;
      if (t.startsWith("-- Docs: ")) out.push(l);
    }
    if (inside) out.push(l);
  }
  return out;
}

/** Signatures too generic to trust on a line that also says "0 failures". */
const GENERIC = new Set(["failed", "error.word", "error.prefixed", "cannot", "timeout", "assertion", "exit.code", "panic.word", "jest.summary", "pytest.summary"]);

// Strongest first, so the first match is the classification.
const BY_WEIGHT = [...SIGNATURES].sort((a, b) => b.weight - a.weight);

/** The strongest signature that matches `line`, or undefined. */
export function classifyLine(line: string, rules: RuleSet = DEFAULT_RULES): Signature | undefined {
  const s = line.length > 4000 ? line.slice(0, 4000) : line;
  if (isPassingLine(s)) return undefined;
  let negated: boolean | undefined;
  for (const sig of BY_WEIGHT) {
    if (!sig.pattern.test(s)) continue;
    if (rules.reportNoise && GENERIC.has(sig.id)) {
      negated ??= NOT_A_FAILURE.test(s);
      if (negated) continue;
    }
    return sig;
  }
  return undefined;
}
