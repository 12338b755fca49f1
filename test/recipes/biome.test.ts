import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { biomeRecipe } from "../../src/recipes/biome.ts";

// Real output of @biomejs/biome 1.9.4 (`--colors=off`), bodies shortened.
const CHECK = `src/a.js:2:1 lint/style/useConst  FIXABLE  ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━

  × This let declares a variable that is only assigned once.
  
  > 2 │ let y = 2;
      │ ^^^
  
  i Safe fix: Use const instead.
  

src/d.js organizeImports ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━

  × Import statements could be sorted:
  

src/a.js format ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━

  × Formatter would have printed the following content:
  
    1 │ const·a·=·{·b:·1·};
      │            +  + + +

Checked 3 files in 3ms. No fixes applied.
Found 3 errors.
check ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━

  × Some errors were emitted while running checks.
  
`;
const UNFIXABLE = `src/a.js:4:1 lint/suspicious/noDebugger ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━

  × This is an unexpected use of the debugger statement.
  

src/a.js format ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━

  × Formatter would have printed the following content:

Checked 1 file in 2ms. No fixes applied.
Found 2 errors.
check ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━

  × Some errors were emitted while running checks.
`;

describe("biomeRecipe", () => {
  it("turns a direct `biome check <targets>` into `biome check --write <targets>`", () => {
    const match = biomeRecipe.matches({ command: "npx @biomejs/biome check src", output: CHECK });
    expect(match?.commands).toEqual([{ command: "npx --no-install biome check --write src" }]);
    expect(match?.description).toContain("- `src/a.js`\n- `src/d.js`");
  });

  it("turns `biome ci` into `biome check --write`, read from the coloured output of CI (ANSI and hyperlinks)", () => {
    const output = readFileSync(new URL("fixtures/biome-ci-ansi.txt", import.meta.url), "utf8");
    expect(output).toContain("\x1b[");
    const match = biomeRecipe.matches({ command: "biome ci src/c.js", output });
    expect(match?.commands[0]?.command).toBe("npx --no-install biome check --write src/c.js");
  });

  it("recognises biome from its output behind an npm script, and writes the reported files", () => {
    const match = biomeRecipe.matches({ command: "npm run check", output: CHECK });
    expect(match?.commands[0]?.command).toBe("npx --no-install biome check --write src/a.js src/d.js");
    expect(match?.description.split("\n")[0]).toBe("Ran `biome check --write` on the 2 files Biome reported (formatting, import order and safe lint fixes)");
  });

  it("declines when a diagnostic has no fix", () => {
    expect(biomeRecipe.matches({ command: "biome check .", output: UNFIXABLE })).toBeNull();
  });

  it("declines output that is not biome's", () => {
    expect(biomeRecipe.matches({ command: "npm test", output: "✖ 1 problem (1 error, 0 warnings)\n" })).toBeNull();
  });
});
