import { describe, expect, it } from "vitest";
import { distillLog } from "../../src/evidence/distill-log.ts";
import { SIGNATURES, classifyLine, hasTrigger } from "../../src/evidence/error-signatures.ts";
import { failingJob, fixtureLines, utf8Bytes } from "./helpers.ts";

describe("the signature table", () => {
  it.each(SIGNATURES.map((s) => [s.id, s] as const))("%s: its example is triggered and classified", (_id, sig) => {
    expect(hasTrigger(sig.example)).toBe(true);
    expect(sig.pattern.test(sig.example)).toBe(true);
    const got = classifyLine(sig.example);
    expect(got).toBeDefined();
    expect(got?.weight ?? 0).toBeGreaterThanOrEqual(sig.weight);
  });

  it("has unique ids and weights from 1 to 10", () => {
    expect(new Set(SIGNATURES.map((s) => s.id)).size).toBe(SIGNATURES.length);
    for (const s of SIGNATURES) expect(s.weight >= 1 && s.weight <= 10).toBe(true);
  });

  it.each([
    ["Tests: 0 failed, 12 passed"],
    ["  ✓ throws an Error when the input is empty (3 ms)"],
    ["tests/test_errors.py::test_raises PASSED                       [ 40%]"],
    ["[INFO] BUILD SUCCESS, 0 errors"],
    ["Compiling src/error.rs"],
    ["observable.onErrorResumeNext() handles it"],
    ["Failures: 0, Errors: 0, Skipped: 1"],
  ])("does not mistake %j for a failure", (line) => {
    expect(classifyLine(line)).toBeUndefined();
  });
});

interface Case {
  readonly fixture: string;
  /** Lines the excerpt must show. */
  readonly expected: readonly string[];
  readonly repoFiles?: readonly string[];
  readonly references?: readonly { path: string; line: number }[];
}

const CASES: readonly Case[] = [
  {
    fixture: "node-test.log",
    expected: ["✖ multiplies numbers (1.734ms)", "AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:", "6 !== 5"],
    repoFiles: ["test/calc.test.js", "src/calc.js"],
    references: [{ path: "test/calc.test.js", line: 14 }],
  },
  {
    fixture: "jest.log",
    expected: ["FAIL src/cart/cart.test.ts", "● Cart › applies the discount to every line", "Expected: 90", "Received: 100"],
    repoFiles: ["src/cart/cart.test.ts"],
    references: [{ path: "src/cart/cart.test.ts", line: 23 }],
  },
  {
    fixture: "vitest.log",
    expected: ["× formats euros 5ms", "AssertionError: expected '10,00 €' to be '10.00 €' // Object.is equality"],
    repoFiles: ["src/money.test.ts"],
    references: [{ path: "src/money.test.ts", line: 12 }],
  },
  {
    fixture: "mocha.log",
    expected: ["1 failing", "rejects a duplicate email:", "AssertionError: expected 201 to equal 409"],
    repoFiles: ["test/users.test.js"],
    references: [{ path: "test/users.test.js", line: 37 }],
  },
  {
    fixture: "tsc.log",
    expected: [
      "src/routes/orders.ts(42,7): error TS2322: Type 'string' is not assignable to type 'number'.",
      "src/db/pool.ts(11,3): error TS2741: Property 'max' is missing in type '{ min: number; }' but required in type 'PoolOptions'.",
    ],
    repoFiles: ["src/routes/orders.ts", "src/db/pool.ts"],
    references: [
      { path: "src/routes/orders.ts", line: 42 },
      { path: "src/routes/orders.ts", line: 58 },
      { path: "src/db/pool.ts", line: 11 },
    ],
  },
  {
    fixture: "eslint.log",
    expected: ["/home/runner/work/site/site/src/components/Header.tsx", "12:7   error    'unused' is assigned a value but never used", "✖ 3 problems (2 errors, 1 warning)"],
  },
  { fixture: "npm.log", expected: ['npm ERR! Missing script: "tets"', "npm ERR!     npm test # Test a package"] },
  { fixture: "yarn.log", expected: ['error An unexpected error occurred: "https://registry.yarnpkg.com/left-pad-nope: Not found".'] },
  {
    fixture: "pnpm.log",
    expected: ['ERR_PNPM_OUTDATED_LOCKFILE  Cannot install with "frozen-lockfile" because pnpm-lock.yaml is not up to date with package.json'],
  },
  {
    fixture: "composer.log",
    expected: [
      "Your requirements could not be resolved to an installable set of packages.",
      "- phpunit/phpunit[11.0.0, ..., 11.2.6] require php >=8.2 -> your php version (8.1.27) does not satisfy that requirement.",
    ],
  },
  {
    fixture: "pytest.log",
    expected: ["____________________________ test_reserve_too_much _____________________________", "E       Failed: DID NOT RAISE <class 'inventory.errors.OutOfStock'>", "tests/test_stock.py:41: Failed"],
    repoFiles: ["tests/test_stock.py"],
    references: [{ path: "tests/test_stock.py", line: 41 }],
  },
  {
    fixture: "go-test.log",
    expected: ['codec_test.go:48: RoundTrip("héllo") = "h\\xc3llo", want "héllo"', "--- FAIL: TestRoundTrip (0.00s)", "FAIL\texample.com/codec\t0.014s"],
    repoFiles: ["codec/codec_test.go"],
    references: [{ path: "codec/codec_test.go", line: 48 }],
  },
  {
    fixture: "cargo.log",
    expected: ["error[E0308]: mismatched types", "--> src/account.rs:27:20", "expected `u64`, found `i64`"],
    repoFiles: ["src/account.rs"],
    references: [{ path: "src/account.rs", line: 27 }],
  },
  {
    fixture: "cargo-test.log",
    expected: ["---- tests::rejects_overdraft stdout ----", "thread 'tests::rejects_overdraft' panicked at src/lib.rs:88:9:", "right: Err(Overdraft)"],
    repoFiles: ["src/lib.rs"],
    references: [{ path: "src/lib.rs", line: 88 }],
  },
  {
    fixture: "maven.log",
    expected: ["[ERROR] com.example.shop.PriceTest.roundsHalfUp  Time elapsed: 0.008 s  <<< FAILURE!", "org.opentest4j.AssertionFailedError: expected: <10.05> but was: <10.04>"],
    repoFiles: ["src/test/java/com/example/shop/PriceTest.java"],
    references: [{ path: "src/test/java/com/example/shop/PriceTest.java", line: 31 }],
  },
  {
    fixture: "gradle.log",
    expected: ["InventoryTest > removesItem() FAILED", "java.lang.IllegalStateException: item not found: apple", "* What went wrong:", "Execution failed for task ':app:test'."],
  },
  {
    fixture: "python-traceback.log",
    expected: ["Traceback (most recent call last):", "inventory.errors.MigrationError: unknown column 'sku'"],
    repoFiles: ["scripts/migrate.py", "inventory/migrations.py"],
    references: [
      { path: "scripts/migrate.py", line: 88 },
      { path: "inventory/migrations.py", line: 19 },
    ],
  },
  {
    fixture: "gcc-make.log",
    expected: ["src/buffer.c:47:12: error: 'new_size' undeclared (first use in this function); did you mean 'old_size'?", "make: *** [Makefile:14: build/buffer.o] Error 1"],
    repoFiles: ["src/buffer.c", "Makefile"],
    references: [{ path: "src/buffer.c", line: 47 }],
  },
];

describe("distilling a failed step, per toolchain", () => {
  it.each(CASES.map((c) => [c.fixture, c] as const))("%s: keeps the error block within the budget", (_name, c) => {
    const log = failingJob(fixtureLines(c.fixture));
    const result = distillLog(log, c.repoFiles ? { repoFiles: new Set(c.repoFiles) } : {});
    expect(utf8Bytes(result.excerpt)).toBeLessThanOrEqual(8000);
    expect(result.stats.focusStep).toBe("Run npm test");
    for (const line of c.expected) expect(result.excerpt).toContain(line);
    for (const ref of c.references ?? []) expect(result.references).toContainEqual(ref);
    if (c.repoFiles) {
      for (const ref of result.references) expect(c.repoFiles).toContain(ref.path);
    }
  });

  it("finds Composer's unresolvable requirements anywhere in the step, not only where vague words are scanned", () => {
    const failing = [...fixtureLines("composer.log"), ...Array.from({ length: 2000 }, (_, i) => `  - Skipping optional package ext-${i}`)];
    const result = distillLog(failingJob(failing), { rules: { weakTriggers: false } });
    expect(result.stats.toolchain).toBe("composer");
    expect(result.excerpt).toContain("Your requirements could not be resolved to an installable set of packages.");
    expect(result.excerpt).toContain("  Problem 2");
  });

  it("keeps the failure when it sits deep inside a long step, not only its tail", () => {
    const failing = [...fixtureLines("tsc.log"), ...Array.from({ length: 400 }, (_, i) => `[build] bundled chunk ${i} (${i * 17} bytes)`)];
    const { excerpt } = distillLog(failingJob(failing));
    expect(excerpt).toContain("src/routes/orders.ts(42,7): error TS2322");
    expect(excerpt).toContain("##[error]Process completed with exit code 1.");
  });
});
