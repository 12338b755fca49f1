/**
 * Which files are tests, by the conventions of the common ecosystems: a test
 * directory anywhere in the path, or a test file name.
 */
const TEST_DIRECTORIES = new Set(["test", "tests", "__tests__", "__test__", "spec", "specs", "__snapshots__", "__mocks__", "e2e", "testdata", "test-data"]);

const TEST_FILE_NAMES: readonly RegExp[] = [
  /\.(?:test|spec|e2e-spec|e2e)\.[cm]?[jt]sx?$/i, // JS/TS: add.test.js, add.spec.ts
  /\.(?:test|spec)\.(?:vue|svelte)$/i,
  /_test\.go$/, // Go
  /^test_.*\.py$/, // pytest / unittest
  /_test\.py$/,
  /^conftest\.py$/,
  /(?:Test|Tests|IT|Spec)\.(?:java|kt|kts|groovy|scala)$/, // JUnit, Kotest, Spock
  /(?:Test|Tests)\.(?:cs|fs|vb|php|swift)$/, // xUnit/NUnit, PHPUnit, XCTest
  /_(?:spec|test)\.rb$/, // RSpec, minitest
  /_test\.exs$/, // ExUnit
  /_test\.dart$/,
  /\.snap$/, // jest/vitest snapshots
];

/** Is `path` (relative to the repository root) a test, a test helper, a fixture or a snapshot? */
export function isTestFile(path: string): boolean {
  const parts = path.split("/");
  const name = parts.at(-1) ?? "";
  if (parts.slice(0, -1).some((dir) => TEST_DIRECTORIES.has(dir.toLowerCase()))) return true;
  return TEST_FILE_NAMES.some((pattern) => pattern.test(name));
}
