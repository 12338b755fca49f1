import { describe, expect, it } from "vitest";
import { findInvocation } from "../../src/recipes/find-invocation.ts";
import { quotePath, quoteWord, splitWords } from "../../src/recipes/shell-words.ts";

describe("splitWords", () => {
  it.each([
    ["eslint src --ext .ts", ["eslint", "src", "--ext", ".ts"]],
    [`eslint "src dir" 'it''s' a\\ b ""`, ["eslint", "src dir", "its", "a b", ""]],
    [`prettier --check "a\\"b"`, ["prettier", "--check", 'a"b']],
  ])("splits %s", (command, words) => {
    expect(splitWords(command)).toEqual(words);
  });

  it.each(["eslint . && tsc", "eslint . | tee log", "eslint $DIR", 'eslint "$(pwd)"', "eslint . > out", "CI=1 eslint .", "eslint 'open", "a; b", "(eslint)"])(
    "refuses %s",
    (command) => {
      expect(splitWords(command)).toBeNull();
    },
  );

  it("quotes words back so that bash reads them unchanged", () => {
    const words = ["src", "it's here", "$HOME", "a\nb", "--x=1"];
    expect(words.map(quoteWord).join(" ")).toBe("src 'it'\\''s here' '$HOME' 'a\nb' --x=1");
    expect(splitWords(words.map(quoteWord).join(" "))).toEqual(words);
    expect(quotePath("-rf")).toBe("./-rf");
  });
});

describe("findInvocation", () => {
  it.each([
    ["eslint src", [], ["src"]],
    ["npx --no-install eslint src", [], ["src"]],
    ["npx -p eslint eslint .", [], ["."]],
    ["pnpm exec eslint .", [], ["."]],
    ["./node_modules/.bin/eslint .", [], ["."]],
    ["npm run lint", ["", "> t@1.0.0 lint", "> eslint src --max-warnings 0", ""], ["src", "--max-warnings", "0"]],
  ])("finds eslint's arguments in %s", (command, lines, args) => {
    expect(findInvocation("eslint", command, lines)).toEqual(args);
  });

  it("finds none when the tool runs inside a larger script or not at all", () => {
    expect(findInvocation("eslint", "npm run lint", ["> t@1.0.0 lint", "> eslint . && tsc"])).toBeNull();
    expect(findInvocation("eslint", "npm test", ["> t@1.0.0 test", "> node --test"])).toBeNull();
    expect(findInvocation("biome", "npx @biomejs/biome@1.9.4 ci .", [])).toEqual(["ci", "."]);
  });
});
