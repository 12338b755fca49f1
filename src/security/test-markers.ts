/**
 * What a line of test code can do to the tests it belongs to: skip them,
 * focus some (which skips all the others), or assert something. Patterns per
 * ecosystem; each has a label for reports (the label, never the line: the
 * report is public).
 */
export interface Marker {
  readonly label: string;
  readonly kind: "skip" | "focus";
  readonly pattern: RegExp;
}

export const MARKERS: readonly Marker[] = [
  // JavaScript / TypeScript: jest, vitest, mocha, jasmine, node:test, ava.
  { label: ".skip", kind: "skip", pattern: /\b(?:it|test|describe|suite|context|specify|bench)(?:\.\w+)*\.skip(?:If)?\b/ },
  { label: ".todo", kind: "skip", pattern: /\b(?:it|test|describe|suite)(?:\.\w+)*\.todo\b/ },
  { label: ".only", kind: "focus", pattern: /\b(?:it|test|describe|suite|context|specify)(?:\.\w+)*\.only\b/ },
  { label: "xit / xdescribe", kind: "skip", pattern: /\b(?:xit|xtest|xdescribe|xcontext|xspecify|xscenario|xfeature)\b(?=\s*[("'`])/ },
  { label: "fit / fdescribe", kind: "focus", pattern: /\b(?:fit|fdescribe|fcontext|ftest)\b(?=\s*\()/ },
  { label: "this.skip()", kind: "skip", pattern: /\bthis\.skip\s*\(/ },
  { label: "t.skip() / t.todo()", kind: "skip", pattern: /\bt\.(?:skip|todo)\s*\(/ },
  { label: "{ skip } / { todo }", kind: "skip", pattern: /\b(?:it|test|describe|suite)\s*\([^)]*\{\s*(?:[\w$]+\s*:[^,}]*,\s*)*(?:skip|todo)\s*:\s*(?!false\b|undefined\b)/ },
  { label: "{ only: true }", kind: "focus", pattern: /\b(?:it|test|describe|suite)\s*\([^)]*\{\s*(?:[\w$]+\s*:[^,}]*,\s*)*only\s*:\s*true\b/ },
  // Python: pytest, unittest.
  { label: "@pytest.mark.skip / xfail", kind: "skip", pattern: /@pytest\.mark\.(?:skip|skipif|xfail)\b/ },
  { label: "pytest.skip()", kind: "skip", pattern: /\bpytest\.(?:skip|xfail|importorskip)\s*\(/ },
  { label: "@unittest.skip", kind: "skip", pattern: /@(?:unittest\.)?(?:skip|skipIf|skipUnless|expectedFailure)\b/ },
  { label: "skipTest()", kind: "skip", pattern: /\bself\.skipTest\s*\(|\braise\s+(?:unittest\.)?SkipTest\b/ },
  // Go.
  { label: "t.Skip()", kind: "skip", pattern: /\b[tb]\.(?:Skip|SkipNow|Skipf)\s*\(/ },
  // Rust.
  { label: "#[ignore]", kind: "skip", pattern: /#\[ignore\b/ },
  // Java / Kotlin (JUnit 4 and 5), C# (xUnit, NUnit, MSTest), PHPUnit.
  { label: "@Disabled / @Ignore", kind: "skip", pattern: /@(?:Disabled\w*|Ignore)\b/ },
  { label: "[Ignore] / Skip =", kind: "skip", pattern: /\[\s*Ignore\b|\bSkip\s*=\s*"/ },
  { label: "markTestSkipped()", kind: "skip", pattern: /\bmarkTest(?:Skipped|Incomplete)\s*\(/ },
  // Ruby: RSpec, minitest.
  { label: "skip / pending", kind: "skip", pattern: /^\s*(?:skip|pending)(?:\s+["']|\s*\(\s*["']|\s*$)/ },
];

/**
 * A line that checks something: `expect(`, `assert…`, `t.Error…`, `require.…`,
 * `assert_eq!`, `assertEquals(`, `self.assert…(`, `.should`. Comments are not assertions.
 */
const ASSERTION = new RegExp(
  [
    String.raw`\bexpect\s*\(`,
    String.raw`\bassert(?:_\w+)?!?\s*[(.]`, // assert(…), assert.equal(…), assert_eq!(…)
    String.raw`^\s*assert\s`, // Python's assert statement
    String.raw`\bself\.assert\w*\s*\(`,
    String.raw`\bassert[A-Z]\w*\s*\(`, // JUnit, PHPUnit
    String.raw`\b(?:require|assert|Assert|Assertions)\.\w+\s*\(`,
    String.raw`\bt\.(?:Error|Errorf|Fatal|Fatalf|Fail|FailNow)\s*\(`, // Go
    String.raw`\bt\.(?:is|not|deepEqual|notDeepEqual|true|false|truthy|falsy|equal|notEqual|ok|notOk|same|throws|rejects|match|strictEqual|deepStrictEqual)\s*\(`, // ava, tap
    String.raw`\bpytest\.raises\s*\(`,
    String.raw`\.should\b`,
    String.raw`\bis_expected\b`,
  ].join("|"),
);

/** Assertions that check almost nothing: what a weakened `expect`/`assert` turns into. */
const WEAK_ASSERTION =
  /\.toBeTruthy\(\s*\)|\.toBeDefined\(\s*\)|\.not\.toBeUndefined\(\s*\)|\.not\.toBeNull\(\s*\)|expect\.anything\(\s*\)|\bassert\.ok\s*\(|\bassert\s*\(\s*true\s*\)|^\s*assert\s+True\b|\bassertTrue\s*\(\s*true\s*\)|\bt\.(?:ok|truthy|pass)\s*\(|\bassert!\s*\(\s*true\s*\)/;

const COMMENT = /^\s*(?:\/\/|\/\*|\*|#(?!\[)|--|;)/;

export function isAssertion(line: string): boolean {
  return !COMMENT.test(line) && ASSERTION.test(line);
}

export function isWeakAssertion(line: string): boolean {
  return isAssertion(line) && WEAK_ASSERTION.test(line);
}

/** What a marker's line is without comments (a marker in a comment does nothing). */
export function markersIn(line: string): Marker[] {
  if (COMMENT.test(line)) return [];
  return MARKERS.filter((marker) => marker.pattern.test(line));
}

/** An assertion as written, but for quotes, spacing and trailing punctuation (what a formatter changes). */
export function normalizeAssertion(line: string): string {
  return line
    .replace(/["'`]/g, '"')
    .replace(/\s+/g, "")
    .replace(/[;,]+$/, "");
}
