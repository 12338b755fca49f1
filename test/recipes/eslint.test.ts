import { describe, expect, it } from "vitest";
import { eslintRecipe } from "../../src/recipes/eslint.ts";

// Real stylish output of eslint 9.17 under `npm run lint` (script: `eslint src`).
const NPM_RUN_ALL_FIXABLE = `
> t@1.0.0 lint
> eslint src


/workspace/src/a.js
  1:16  error  Missing semicolon                             semi
  2:1   error  Unexpected var, use let or const instead      no-var
  2:10  error  Missing semicolon                             semi
  3:5   error  'y' is never reassigned. Use 'const' instead  prefer-const
  4:21  error  Missing semicolon                             semi

/workspace/src/c.js
  1:23  error  Missing semicolon  semi

✖ 6 problems (6 errors, 0 warnings)
  6 errors and 0 warnings potentially fixable with the \`--fix\` option.

`;
const SOME_UNFIXABLE = `
/workspace/src/a.js
  1:16  error  Missing semicolon                             semi
  4:1   error  'console' is not defined                      no-undef

✖ 2 problems (2 errors, 0 warnings)
  1 error and 0 warnings potentially fixable with the \`--fix\` option.
`;
const WARNINGS_ONLY = `
/workspace/src/a.js
  1:16  warning  Missing semicolon  semi

✖ 1 problem (0 errors, 1 warning)
  0 errors and 1 warning potentially fixable with the \`--fix\` option.

ESLint found too many warnings (maximum: 0).
`;
// A script that does more than run eslint: only the reported files can be targeted.
const COMPOUND = `
> t@1.0.0 lint
> eslint src && tsc --noEmit


/workspace/src/c.js
  1:23  error  Missing semicolon  semi

✖ 1 problem (1 error, 0 warnings)
  1 error and 0 warnings potentially fixable with the \`--fix\` option.
`;

describe("eslintRecipe", () => {
  it("reruns the script's own eslint invocation with --fix (the same targets)", () => {
    const match = eslintRecipe.matches({ command: "npm run lint", output: NPM_RUN_ALL_FIXABLE });
    expect(match?.commands).toEqual([{ command: "npx --no-install eslint --fix src" }]);
    expect(match?.description).toBe("Ran `eslint --fix` with the arguments of the failing `eslint src`: ESLint reported 6 fixable problems");
  });

  it("keeps the arguments of a direct invocation, dropping options that do not apply to fixing", () => {
    const match = eslintRecipe.matches({ command: 'npx eslint --max-warnings 0 -c "config/eslint.config.js" --format=stylish "src dir" test', output: WARNINGS_ONLY });
    expect(match?.commands[0]?.command).toBe("npx --no-install eslint --fix -c config/eslint.config.js 'src dir' test");
  });

  it("finds the invocation inside a reproduced CI step (`bash -e -c '…'`)", () => {
    const match = eslintRecipe.matches({ command: "cd app && bash -e -c 'npx eslint src'", output: COMPOUND });
    expect(match?.commands).toEqual([{ command: "npx --no-install eslint --fix src", cwd: "app" }]);
  });

  it("falls back to the files eslint reported when the invocation is part of a larger script", () => {
    const match = eslintRecipe.matches({ command: "npm run lint", output: COMPOUND });
    expect(match?.commands[0]?.command).toBe("npx --no-install eslint --fix /workspace/src/c.js");
    expect(match?.description).toContain("on the 1 file ESLint reported (1 fixable problem)");
  });

  it("declines when some errors are not fixable: --fix would not make the step pass", () => {
    expect(eslintRecipe.matches({ command: "eslint .", output: SOME_UNFIXABLE })).toBeNull();
  });

  it.each([
    ["prettier's output", "[warn] src/a.js\n[warn] Code style issues found in the above file. Run Prettier with --write to fix.\n"],
    ["an eslint run with nothing fixable", "/w/a.js\n  4:1  error  'console' is not defined  no-undef\n\n✖ 1 problem (1 error, 0 warnings)\n"],
    ["a test failure", "AssertionError [ERR_ASSERTION]: Expected values to be strictly equal\n"],
  ])("declines %s", (_name, output) => {
    expect(eslintRecipe.matches({ command: "npm run lint", output })).toBeNull();
  });
});
