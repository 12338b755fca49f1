import { describe, expect, it } from "vitest";
import { matchGlob } from "../../src/security/match-glob.ts";
import { findProtectedMatch } from "../../src/security/protected-paths.ts";

describe("matchGlob", () => {
  const table: Array<[glob: string, path: string, expected: boolean]> = [
    // `**` spans whole segments, including none
    [".github/workflows/**", ".github/workflows/ci.yml", true],
    [".github/workflows/**", ".github/workflows/nested/deploy.yml", true],
    [".github/workflows/**", ".github/workflows", true],
    [".github/workflows/**", ".github/dependabot.yml", false],
    [".github/workflows/**", "docs/.github/workflows/ci.yml", false],
    ["**/.env", ".env", true],
    ["**/.env", "apps/web/.env", true],
    ["**/.env", ".envrc", false],
    ["**/.env.*", "apps/.env.local", true],
    ["**/.env.*", ".env", false],
    ["src/**/test.ts", "src/test.ts", true],
    ["src/**/test.ts", "src/a/b/test.ts", true],
    ["src/**/test.ts", "src/a/b/test.tsx", false],
    // `*` and `?` stay inside one segment
    ["src/*.ts", "src/index.ts", true],
    ["src/*.ts", "src/lib/index.ts", false],
    ["src/?.ts", "src/a.ts", true],
    ["src/?.ts", "src/ab.ts", false],
    ["a?b", "a/b", false],
    ["*", ".env", true],
    // no slash: the name at any depth; leading slash: anchored
    ["*.pem", "certs/dev.pem", true],
    ["*.pem", "dev.pem", true],
    ["/*.pem", "certs/dev.pem", false],
    ["/*.pem", "dev.pem", true],
    ["package-lock.json", "apps/web/package-lock.json", true],
    // trailing slash: the directory and everything below
    ["secrets/", "secrets/prod/key.txt", true],
    ["secrets/", "config/secrets", false],
    // everything else is literal
    ["a.b", "axb", false],
    ["a+b(c)", "a+b(c)", true],
    ["[ab].ts", "a.ts", false],
    ["[ab].ts", "[ab].ts", true],
    // paths are normalised
    ["src/*.ts", "./src/index.ts", true],
    ["src/*.ts", "src//index.ts", true],
  ];

  it.each(table)("%s vs %s → %s", (glob, path, expected) => {
    expect(matchGlob(glob, path)).toBe(expected);
  });

  it("is case-sensitive unless asked", () => {
    expect(matchGlob("src/*.ts", "SRC/index.ts")).toBe(false);
    expect(matchGlob("src/*.ts", "SRC/index.ts", { nocase: true })).toBe(true);
  });
});

describe("findProtectedMatch", () => {
  it("always applies the built-in list and adds the repository's globs", () => {
    expect(findProtectedMatch(".github/workflows/ci.yml")).toBe(".github/workflows/**");
    expect(findProtectedMatch(".GitHub/Workflows/CI.yml")).toBe(".github/workflows/**");
    expect(findProtectedMatch(".git/config")).toBe(".git/**");
    expect(findProtectedMatch("src/index.ts")).toBeUndefined();
    expect(findProtectedMatch("infra/main.tf", ["infra/**"])).toBe("infra/**");
    expect(findProtectedMatch("src/index.ts", ["infra/**"])).toBeUndefined();
  });
});
