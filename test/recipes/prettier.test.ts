import { describe, expect, it } from "vitest";
import { prettierRecipe } from "../../src/recipes/prettier.ts";

// Real output of prettier 3.3.3 (`[warn]` lines go to stderr; the sandbox merges the streams).
const CHECK_ONE = `Checking formatting...
[warn] src/a.js
[warn] Code style issues found in the above file. Run Prettier with --write to fix.
`;
const NPM_RUN_TWO = `
> t@1.0.0 format:check
> prettier --check src

Checking formatting...
[warn] src/a.js
[warn] src/c.js
[warn] Code style issues found in 2 files. Run Prettier with --write to fix.
`;
const PRETTIER_2 = `Checking formatting...
[warn] lib/index.ts
[warn] Code style issues found in the above file(s). Forgot to run Prettier?
`;

describe("prettierRecipe", () => {
  it("writes the one file prettier --check reported, with the repository's own prettier", () => {
    const match = prettierRecipe.matches({ command: "npx prettier --check .", output: CHECK_ONE });
    expect(match?.commands).toEqual([{ command: "npx --no-install prettier --write src/a.js" }]);
    expect(match?.description.split("\n")[0]).toBe("Ran `prettier --write` on the file `prettier --check` reported");
    expect(match?.description).toContain("- `src/a.js`");
  });

  it("recognises prettier from its output when the command is an npm script", () => {
    const match = prettierRecipe.matches({ command: "npm run format:check", output: NPM_RUN_TWO });
    expect(match?.commands[0]?.command).toBe("npx --no-install prettier --write src/a.js src/c.js");
    expect(match?.commands[0]?.network).toBeUndefined();
    expect(match?.description.split("\n")[0]).toBe("Ran `prettier --write` on the 2 files `prettier --check` reported");
  });

  it("reads prettier 2's summary and CI-log decorations (timestamps, colours)", () => {
    const log = PRETTIER_2.split("\n")
      .map((l) => `2024-05-01T10:00:00.1234567Z \x1b[33m${l}\x1b[39m`)
      .join("\n");
    expect(prettierRecipe.matches({ command: "yarn lint:format", output: log })?.commands[0]?.command).toBe(
      "npx --no-install prettier --write lib/index.ts",
    );
  });

  it("quotes odd file names and keeps option-like names from being read as options", () => {
    const output = "[warn] src/it's here.js\n[warn] -x.js\n[warn] Code style issues found in 2 files. Run Prettier with --write to fix.\n";
    expect(prettierRecipe.matches({ command: "prettier -c .", output })?.commands[0]?.command).toBe(
      "npx --no-install prettier --write ./-x.js 'src/it'\\''s here.js'",
    );
  });

  it("writes in the directory of a reproduced CI step, with the step's environment", () => {
    const match = prettierRecipe.matches({ command: "cd web && env 'NODE_ENV=test' bash -e -c 'npx prettier --check .'", output: CHECK_ONE });
    expect(match?.commands).toEqual([{ command: "env NODE_ENV=test npx --no-install prettier --write src/a.js", cwd: "web" }]);
  });

  it("ignores option warnings printed before the file list", () => {
    const output = `[warn] Ignored unknown option { tabs: true }.\nChecking formatting...\n${CHECK_ONE.split("\n").slice(1).join("\n")}`;
    expect(prettierRecipe.matches({ command: "prettier --check .", output })?.commands[0]?.command).toBe("npx --no-install prettier --write src/a.js");
  });

  it.each([
    ["a syntax error prettier cannot format", "Checking formatting...\n[error] src/b.js: SyntaxError: Unexpected token (1:7)\n[warn] src/a.js\n[warn] Code style issues found in the above file. Run Prettier with --write to fix.\n"],
    ["a clean check", "Checking formatting...\nAll matched files use Prettier code style!\n"],
    ["a failing test run", "not ok 1 - adds\n# fail 1\n"],
    ["an eslint failure", "/w/src/a.js\n  1:16  error  Missing semicolon  semi\n\n✖ 1 problem (1 error, 0 warnings)\n"],
  ])("declines %s", (_name, output) => {
    expect(prettierRecipe.matches({ command: "npm test", output })).toBeNull();
  });
});
